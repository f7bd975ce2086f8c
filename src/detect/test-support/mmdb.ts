/**
 * A minimal MaxMind DB (format 2.0) writer for tests: an IPv4 tree with 24-bit records and a data
 * section of maps, strings and unsigned integers; enough for GeoLite2-ASN / -Country shaped
 * records. Written from the published format specification (maxmind.github.io/MaxMind-DB).
 */
type Value = string | number | { [key: string]: Value } | Value[];

/** Build an `.mmdb` holding `networks` ("198.51.100.0/24" → record). */
export function buildMmdb(networks: Record<string, Record<string, Value>>, databaseType: string): Buffer {
  const data: Buffer[] = [];
  let dataSize = 0;
  const offsets = new Map<string, number>();
  for (const [cidr, record] of Object.entries(networks)) {
    offsets.set(cidr, dataSize);
    const bytes = encode(record);
    data.push(bytes);
    dataSize += bytes.length;
  }
  // The tree: node = [left, right]; a child is a node index, a data offset, or empty.
  type Child = { node: number } | { data: number } | null;
  const nodes: [Child, Child][] = [[null, null]];
  for (const [cidr, offset] of offsets) {
    const [ip, bitsText] = cidr.split('/');
    const bits = Number(bitsText);
    const address = ip!.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    let node = 0;
    for (let depth = 0; depth < bits; depth++) {
      const bit = Math.floor(address / 2 ** (31 - depth)) % 2;
      if (depth === bits - 1) {
        nodes[node]![bit] = { data: offset };
      } else {
        const child = nodes[node]![bit];
        if (child && 'node' in child) node = child.node;
        else {
          nodes.push([null, null]);
          nodes[node]![bit] = { node: nodes.length - 1 };
          node = nodes.length - 1;
        }
      }
    }
  }
  const count = nodes.length;
  const value = (c: Child): number => (c === null ? count : 'node' in c ? c.node : count + 16 + c.data);
  const tree = Buffer.alloc(count * 6);
  nodes.forEach(([left, right], i) => {
    tree.writeUIntBE(value(left), i * 6, 3);
    tree.writeUIntBE(value(right), i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: count,
    record_size: 24,
    ip_version: 4,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'tourniquet test database' },
  });
  const marker = Buffer.from('ABCDEF4D61784D696E642E636F6D', 'hex');
  return Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]);
}

function control(type: number, size: number): Buffer {
  if (size > 284) throw new Error('test writer supports sizes up to 284 only');
  // Sizes 29…284 take the value 29 in the control byte and size - 29 in the next byte.
  const [low, extra] = size < 29 ? [size, []] : [29, [size - 29]];
  const head = type <= 7 ? [(type << 5) | low] : [low, type - 7];
  return Buffer.from([...head, ...extra]);
}

function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number') {
    const bytes: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    return Buffer.concat([control(value > 0xffffffff ? 9 : 6, bytes.length), Buffer.from(bytes)]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}
