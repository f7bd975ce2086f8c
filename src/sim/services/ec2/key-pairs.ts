import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Ec2Error, invalidParameter } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2Deps, Ec2RegionState, Ec2State, Filter, KeyPair, Tag, WireObject } from './model.js';
import { ec2Region, ec2Time, newId, tagSet, tagsOf } from './world.js';

/** SSH wire encoding: each field a uint32 length then bytes (RFC 4253 §6.6). */
function sshBlob(fields: Buffer[]): Buffer {
  return Buffer.concat(
    fields.flatMap((field) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(field.length);
      return [length, field];
    }),
  );
}

function mpint(base64url: string): Buffer {
  const bytes = Buffer.from(base64url, 'base64url');
  return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/** The OpenSSH one-line form of a public key (`ssh-rsa AAAA…`). */
function openSshPublicKey(key: KeyObject, keyType: 'rsa' | 'ed25519'): { line: string; blob: Buffer } {
  const jwk = key.export({ format: 'jwk' });
  const blob =
    keyType === 'rsa'
      ? sshBlob([Buffer.from('ssh-rsa'), mpint(jwk.e ?? ''), mpint(jwk.n ?? '')])
      : sshBlob([Buffer.from('ssh-ed25519'), Buffer.from(jwk.x ?? '', 'base64url')]);
  return { line: `ssh-${keyType} ${blob.toString('base64')}`, blob };
}

function colonHex(digest: Buffer): string {
  return digest.toString('hex').match(/../g)!.join(':');
}

function sha256Fingerprint(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

function readSshString(blob: Buffer, offset: number): { value: Buffer; next: number } {
  const length = blob.readUInt32BE(offset);
  return { value: blob.subarray(offset + 4, offset + 4 + length), next: offset + 4 + length };
}

/** Parse an imported OpenSSH public key line into a KeyObject and its SSH blob. */
function parseOpenSsh(material: string): { key: KeyObject; keyType: 'rsa' | 'ed25519'; blob: Buffer } {
  const [type, base64] = material.trim().split(/\s+/);
  const blob = Buffer.from(base64 ?? '', 'base64');
  try {
    const name = readSshString(blob, 0);
    if (type === 'ssh-rsa' && name.value.toString() === 'ssh-rsa') {
      const e = readSshString(blob, name.next);
      const n = readSshString(blob, e.next);
      const strip = (b: Buffer): string => (b[0] === 0 ? b.subarray(1) : b).toString('base64url');
      const key = createPublicKey({
        key: { kty: 'RSA', e: strip(e.value), n: strip(n.value) },
        format: 'jwk',
      });
      return { key, keyType: 'rsa', blob };
    }
    if (type === 'ssh-ed25519' && name.value.toString() === 'ssh-ed25519') {
      const x = readSshString(blob, name.next).value.toString('base64url');
      return {
        key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }),
        keyType: 'ed25519',
        blob,
      };
    }
  } catch {
    // Fall through to the EC2 error below: any malformed blob is the caller's input error.
  }
  throw invalidParameter('Key is not in valid OpenSSH public key format');
}

function keyPairWire(region: Ec2RegionState, pair: KeyPair, includePublicKey = false): WireObject {
  return {
    keyPairId: pair.keyPairId,
    keyFingerprint: pair.keyFingerprint,
    keyName: pair.keyName,
    keyType: pair.keyType,
    tagSet: tagSet(region, pair.keyPairId),
    publicKey: includePublicKey ? pair.publicKey : undefined,
    createTime: pair.createTime,
  };
}

function store(
  region: Ec2RegionState,
  deps: Ec2Deps,
  pair: Omit<KeyPair, 'keyPairId' | 'createTime'>,
  tags?: Tag[],
): KeyPair {
  if (region.keyPairs[pair.keyName]) {
    throw new Ec2Error('InvalidKeyPair.Duplicate', `The keypair already exists`);
  }
  if (!/^[\x20-\x7e]{1,255}$/.test(pair.keyName))
    throw invalidParameter(`Invalid key name '${pair.keyName}'`);
  const stored: KeyPair = { ...pair, keyPairId: newId(deps, 'key'), createTime: ec2Time(deps.now()) };
  region.keyPairs[pair.keyName] = stored;
  if (tags?.length) region.tags[stored.keyPairId] = tags.map((t) => ({ ...t }));
  return stored;
}

/**
 * CreateKeyPair: AWS generates the key and returns the private half once. Fingerprints as
 * AWS computes them: RSA = SHA-1 of the PKCS#8 DER private key; ED25519 = base64 SHA-256.
 */
export function createKeyPair(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { keyName: string; keyType?: string; tags?: Tag[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const keyType = input.keyType ?? 'rsa';
  if (keyType !== 'rsa' && keyType !== 'ed25519')
    throw invalidParameter(`Invalid value '${keyType}' for KeyType`);
  const { publicKey, privateKey } =
    keyType === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const ssh = openSshPublicKey(publicKey, keyType);
  const keyFingerprint =
    keyType === 'rsa'
      ? colonHex(
          createHash('sha1')
            .update(privateKey.export({ format: 'der', type: 'pkcs8' }))
            .digest(),
        )
      : sha256Fingerprint(ssh.blob);
  const keyMaterial =
    keyType === 'rsa'
      ? privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
      : privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const pair = store(
    region,
    deps,
    { keyName: input.keyName, keyType, keyFingerprint, publicKey: ssh.line },
    input.tags,
  );
  return {
    keyName: pair.keyName,
    keyFingerprint: pair.keyFingerprint,
    keyMaterial: keyMaterial.trimEnd(),
    keyPairId: pair.keyPairId,
    tagSet: tagSet(region, pair.keyPairId),
  };
}

/** ImportKeyPair: fingerprint = MD5 of the DER public key (RSA) or base64 SHA-256 (ED25519). */
export function importKeyPair(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { keyName: string; publicKeyMaterial: string; tags?: Tag[] },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const parsed = parseOpenSsh(input.publicKeyMaterial);
  const keyFingerprint =
    parsed.keyType === 'rsa'
      ? colonHex(
          createHash('md5')
            .update(parsed.key.export({ format: 'der', type: 'spki' }))
            .digest(),
        )
      : sha256Fingerprint(parsed.blob);
  const publicKey = `ssh-${parsed.keyType} ${parsed.blob.toString('base64')}`;
  const pair = store(
    region,
    deps,
    { keyName: input.keyName, keyType: parsed.keyType, keyFingerprint, publicKey },
    input.tags,
  );
  return {
    keyFingerprint: pair.keyFingerprint,
    keyName: pair.keyName,
    keyPairId: pair.keyPairId,
    tagSet: tagSet(region, pair.keyPairId),
  };
}

const KEY_FILTERS: FilterTable<KeyPair> = {
  'key-name': (k) => k.keyName,
  'key-pair-id': (k) => k.keyPairId,
  fingerprint: (k) => k.keyFingerprint,
  'key-type': (k) => k.keyType,
};

/** DescribeKeyPairs. */
export function describeKeyPairs(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { keyNames?: string[]; keyPairIds?: string[]; filters?: Filter[]; includePublicKey?: boolean },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const pairs = Object.values(region.keyPairs);
  for (const name of input.keyNames ?? []) {
    if (!region.keyPairs[name])
      throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`);
  }
  for (const id of input.keyPairIds ?? []) {
    if (!pairs.some((p) => p.keyPairId === id)) {
      throw new Ec2Error('InvalidKeyPair.NotFound', `The key pair '${id}' does not exist`);
    }
  }
  checkFilters(input.filters, KEY_FILTERS);
  const matching = pairs.filter(
    (pair) =>
      (!input.keyNames?.length || input.keyNames.includes(pair.keyName)) &&
      (!input.keyPairIds?.length || input.keyPairIds.includes(pair.keyPairId)) &&
      matchesFilters(pair, input.filters, KEY_FILTERS, (p) => tagsOf(region, p.keyPairId)),
  );
  return { keySet: matching.map((pair) => keyPairWire(region, pair, input.includePublicKey)) };
}

/** DeleteKeyPair by name or id; deleting a missing key pair succeeds, as in EC2. */
export function deleteKeyPair(
  state: Ec2State,
  deps: Ec2Deps,
  callerId: string,
  regionName: string,
  input: { keyName?: string; keyPairId?: string },
): WireObject {
  const region = ec2Region(state, deps, callerId, regionName);
  const pair = Object.values(region.keyPairs).find(
    (p) => p.keyName === input.keyName || p.keyPairId === input.keyPairId,
  );
  if (!pair) return { return: true };
  delete region.keyPairs[pair.keyName];
  delete region.tags[pair.keyPairId];
  return { return: true, keyPairId: pair.keyPairId };
}
