import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'mmdb-lib';
import { UserError } from '../errors.js';

/** What a MaxMind-format database says about an address (ASN and/or country databases). */
export interface NetworkInfo {
  asn: number | null;
  asOrg: string | null;
  country: string | null;
}

/** Looks addresses up in a MaxMind-format database (GeoLite2-ASN, -Country, -City or compatible). */
export interface GeoIp {
  lookup(ip: string): NetworkInfo | null;
}

interface MmdbRecord {
  autonomous_system_number?: number;
  autonomous_system_organization?: string;
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
}

/** Open a `.mmdb` file; a clear error names the file when it is missing or not an MMDB. */
export function openGeoIp(file: string): GeoIp {
  let reader: Reader<Response>;
  try {
    reader = new Reader<Response>(readFileSync(file));
  } catch (error) {
    throw new UserError('GEOIP_FILE', `${file} is not a readable MaxMind database (.mmdb).`, {
      cause: error,
      hint: 'Pass --geoip with a GeoLite2-ASN or GeoLite2-Country .mmdb file, or leave it out.',
    });
  }
  return {
    lookup(ip: string): NetworkInfo | null {
      let record: MmdbRecord | null;
      try {
        // ASN and country databases share this reader; read the fields either kind has.
        record = reader.get(ip) as MmdbRecord | null;
      } catch {
        // Not an IP address (CloudTrail also writes "AWS Internal" and service host names).
        return null;
      }
      if (!record) return null;
      return {
        asn: record.autonomous_system_number ?? null,
        asOrg: record.autonomous_system_organization ?? null,
        country: record.country?.iso_code ?? record.registered_country?.iso_code ?? null,
      };
    },
  };
}

/** The network an address belongs to without a database: its /24 (IPv4) or /48 (IPv6). */
export function networkOf(ip: string): string | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (v4) return `${Number(v4[1])}.${Number(v4[2])}.${Number(v4[3])}.0/24`;
  if (ip.includes(':') && /^[0-9a-f:]+$/i.test(ip)) {
    const groups = ip.split(':');
    return `${groups.slice(0, 3).join(':')}::/48`;
  }
  return null;
}
