import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStore, type EventStore } from '../store/store.js';
import { ingestPaths } from '../trail/ingest.js';
import { networkOf, openGeoIp } from './geoip.js';
import { investigate } from './investigate.js';
import { buildMmdb } from './test-support/mmdb.js';
import { ALICE_KEY, scenarioRecords } from './test-support/scenario.js';

describe('GeoIP (MaxMind format)', () => {
  let dir: string;
  let store: EventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tq-geoip-'));
    writeFileSync(
      join(dir, 'asn.mmdb'),
      buildMmdb(
        {
          '198.51.100.0/24': {
            autonomous_system_number: 64500,
            autonomous_system_organization: 'Bulletproof Hosting',
          },
          '10.0.0.0/8': { autonomous_system_number: 64501, autonomous_system_organization: 'Office' },
        },
        'GeoLite2-ASN',
      ),
    );
    writeFileSync(
      join(dir, 'country.mmdb'),
      buildMmdb({ '198.51.100.0/24': { country: { iso_code: 'ZZ' } } }, 'GeoLite2-Country'),
    );
    writeFileSync(join(dir, 'trail.json'), JSON.stringify({ Records: scenarioRecords() }));
    store = await openEventStore(':memory:');
    await ingestPaths(store, [join(dir, 'trail.json')]);
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads ASN and country databases; non-addresses are not looked up', () => {
    const asn = openGeoIp(join(dir, 'asn.mmdb'));
    expect(asn.lookup('198.51.100.7')).toEqual({ asn: 64500, asOrg: 'Bulletproof Hosting', country: null });
    expect(asn.lookup('192.0.2.1')).toBeNull();
    expect(asn.lookup('AWS Internal')).toBeNull();
    expect(openGeoIp(join(dir, 'country.mmdb')).lookup('198.51.100.7')).toEqual({
      asn: null,
      asOrg: null,
      country: 'ZZ',
    });
  });

  it('names new networks by ASN in the anomalies', async () => {
    const result = await investigate(store, {
      subjectKeys: [ALICE_KEY],
      geoip: openGeoIp(join(dir, 'asn.mmdb')),
    });
    expect(result.anomalies!.newSourceIps[0]).toMatchObject({
      value: '198.51.100.7',
      asn: 64500,
      network: 'AS64500 Bulletproof Hosting',
    });
    expect(result.anomalies!.newNetworks.map((n) => n.value)).toEqual(['AS64500 Bulletproof Hosting']);
  });

  it('falls back to /24 and /48 networks without a database', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('ec2.amazonaws.com')).toBeNull();
  });
});
