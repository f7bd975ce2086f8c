import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
// The namespace for `crc32`, which Node 20 has from 20.15 on only (a named import would fail to load).
import * as zlib from 'node:zlib';
import {
  constants,
  createGunzip,
  createInflateRaw,
  gunzipSync,
  type Gunzip,
  type InflateRaw,
} from 'node:zlib';

/** The parts of a zlib stream's native handle that Node's own `gunzipSync` drives. */
interface ZlibHandle {
  writeSync(
    flush: number,
    input: Buffer,
    inOffset: number,
    inLength: number,
    output: Buffer,
    outOffset: number,
    outLength: number,
  ): void;
}

/**
 * Reads and gunzips file after file into buffers it keeps: each result is a view that the next
 * call overwrites. A prefilter worker reads a whole trail this way. `gunzipSync` allocated a new
 * output buffer per file (about 1 MB each): freeing and faulting those pages in again cost more
 * than the inflate itself (1.3 GB of trail: 3.2 s in `gunzipSync` against 1.5 s here, minor page
 * faults 122,000 against 23,000).
 *
 * Node has no public call that inflates into a given buffer, so this drives the stream's native
 * handle (`_handle.writeSync`, `_writeState`) the way Node's own `gunzipSync` does; the same native
 * code runs (several gzip members, trailing zeros, "unexpected end of file"). Where a Node version
 * lacks those internals, it falls back to `gunzipSync`.
 *
 * Without `checksum`, a whole file is inflated without computing its gzip CRC-32 (a fifth of
 * inflating, which zlib does in a second pass over the output; DuckDB's own gzip reader, which reads
 * every file of a full load, never checks it): the gzip framing is read here (RFC 1952) and the
 * deflate data inflated raw. Everything else `gunzipSync` refuses is refused with its message (a
 * cut file, bad deflate data, a wrong length in the trailer, garbage after a member), and the
 * bytes are the same; a file whose only fault is its CRC is read as DuckDB reads it.
 */
export class FileInflater {
  // Sized on first use: discovery's inflater only ever inflates heads, and is made at import.
  private input = Buffer.alloc(0);
  private output: Buffer = Buffer.alloc(0);
  private stream: Gunzip | InflateRaw | null = null;
  /** The stream inflates raw deflate data (the gzip framing read here). */
  private raw = false;
  private readonly checksum: boolean;

  /**
   * With an `arena`, the output goes into the buffers it gives (at least the bytes asked for,
   * keeping what was written when it grows; null: not that many), as a prefilter worker inflates
   * into its structure scanner's memory (`StructureScanner.arena`).
   */
  constructor(
    private readonly arena: ((bytes: number) => Buffer | null) | null = null,
    options: { checksum?: boolean } = {},
  ) {
    this.checksum = options.checksum ?? true;
  }

  /** The file's bytes (a view, valid until the next call). */
  read(path: string): Buffer {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      // One byte more than the size: the read that finds the end needs no bigger buffer.
      if (this.input.length < size + 1) this.input = Buffer.allocUnsafeSlow(size + 1);
      // Read to the end even if the file grew since its size was taken.
      for (let used = 0; ;) {
        if (used === this.input.length) this.grow('input', used);
        const n = readSync(fd, this.input, used, this.input.length - used, null);
        if (n === 0) return this.input.subarray(0, used);
        used += n;
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The gunzipped bytes of `raw` (a view, valid until the next call). `sizeHint` is the size the
   * gzip trailer announces; it may be wrong (several members, a forged trailer): the buffer grows.
   * `flush` as gunzipSync's `finishFlush`: `Z_SYNC_FLUSH` returns what a cut-off input decodes to.
   */
  gunzip(raw: Buffer, sizeHint = 0, flush: number = constants.Z_FINISH): Buffer {
    // A whole file without its CRC: raw deflate between the gzip framing read here.
    const unchecked = !this.checksum && flush === constants.Z_FINISH;
    if (this.stream && this.raw !== unchecked) {
      this.stream.destroy();
      this.stream = null;
    }
    const stream = this.stream ?? this.open(unchecked);
    const handle = (stream as unknown as { _handle?: ZlibHandle })._handle;
    const state = (stream as unknown as { _writeState?: Uint32Array })._writeState;
    if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) {
      return gunzipSync(raw, { chunkSize: Math.max(64 * 1024, sizeHint + 1024), finishFlush: flush });
    }
    // Deflate expands at most 1032 times: a forged trailer cannot make it reserve more.
    const expected = Math.min(sizeHint, raw.length * 1032);
    if (this.output.length < expected + 1) this.output = this.outputOf(expected + 1024, 0);
    if (!unchecked) {
      // (The output buffer may have grown: read it after.)
      const { out } = this.inflate(stream, handle, state, raw, 0, 0, flush);
      return this.output.subarray(0, out);
    }
    // gzip members one after the other, as Node's own gunzip reads them: after a member, a zero
    // byte ends the file (padding), anything else must be another member.
    let at = 0;
    let out = 0;
    do {
      const start = out;
      ({ in: at, out } = this.inflate(stream, handle, state, raw, gzipDataStart(raw, at), out, flush));
      if (at + 8 > raw.length) throw zlibError('unexpected end of file', 'Z_BUF_ERROR');
      // The trailer: CRC-32 (not checked, see above), then the length modulo 2^32.
      if (raw.readUInt32LE(at + 4) !== (out - start) >>> 0)
        throw zlibError('incorrect length check', 'Z_DATA_ERROR');
      at += 8;
    } while (at < raw.length && raw[at] !== 0);
    return this.output.subarray(0, out);
  }

  /**
   * Inflate `raw` from `inAt` into the output from `outAt` until the stream ends (or, with
   * Z_SYNC_FLUSH, the input does); where the input and the output stopped.
   */
  private inflate(
    stream: Gunzip | InflateRaw,
    handle: ZlibHandle,
    state: Uint32Array,
    raw: Buffer,
    inAt: number,
    outAt: number,
    flush: number,
  ): { in: number; out: number } {
    // Every zlib stream has reset() (Node's types list it on some kinds only).
    (stream as unknown as { reset(): void }).reset();
    let inOffset = inAt;
    let inLeft = raw.length - inAt;
    let outOffset = outAt;
    for (;;) {
      const outLeft = this.output.length - outOffset;
      handle.writeSync(flush, raw, inOffset, inLeft, this.output, outOffset, outLeft);
      if (stream.destroyed) {
        // The native side reported bad data: the stream is closed, the next file gets a new one.
        this.stream = null;
        throw stream.errored ?? new Error('invalid gzip data');
      }
      const outAfter = state[0]!;
      const inAfter = state[1]!;
      outOffset += outLeft - outAfter;
      inOffset += inLeft - inAfter;
      inLeft = inAfter;
      // Output space left means the input is done (Node's own loop stops on the same test).
      if (outAfter !== 0) return { in: inOffset, out: outOffset };
      this.grow('output', outOffset);
    }
  }

  private open(raw: boolean): Gunzip | InflateRaw {
    const stream = raw ? createInflateRaw() : createGunzip();
    this.raw = raw;
    // The error is also emitted later, on the next tick: it has been thrown already.
    stream.on('error', () => undefined);
    this.stream = stream;
    return stream;
  }

  /** Double a buffer (64 KB at least), keeping its first `used` bytes. */
  private grow(which: 'input' | 'output', used: number): void {
    const size = Math.max(64 * 1024, this[which].length * 2);
    if (which === 'output') {
      this.output = this.outputOf(size, used);
      return;
    }
    const bigger = Buffer.allocUnsafeSlow(size);
    this.input.copy(bigger, 0, 0, used);
    this.input = bigger;
  }

  /** An output buffer of `bytes` or more holding the first `used` bytes of the current one. */
  private outputOf(bytes: number, used: number): Buffer {
    // The arena keeps its bytes when it grows.
    const kept = this.arena?.(bytes);
    if (kept) return kept;
    const own = Buffer.allocUnsafeSlow(bytes);
    this.output.copy(own, 0, 0, used);
    return own;
  }
}

/** An error as zlib's own (same message and code: callers show the message). */
function zlibError(message: string, code: 'Z_BUF_ERROR' | 'Z_DATA_ERROR'): Error {
  return Object.assign(new Error(message), { code });
}

/** gzip header flags (RFC 1952 2.3.1). */
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/**
 * Where the deflate data of the gzip member at `at` starts, past its header, refused with zlib's
 * messages: a wrong magic number or method, unknown flags, a header cut short, a header CRC that
 * does not match (checked where Node has `zlib.crc32`).
 */
function gzipDataStart(raw: Buffer, at: number): number {
  const cut = (): never => {
    throw zlibError('unexpected end of file', 'Z_BUF_ERROR');
  };
  const start = at;
  if (at + 2 > raw.length) cut();
  if (raw[at] !== 0x1f || raw[at + 1] !== 0x8b) throw zlibError('incorrect header check', 'Z_DATA_ERROR');
  if (at + 3 > raw.length) cut();
  if (raw[at + 2] !== 8) throw zlibError('unknown compression method', 'Z_DATA_ERROR');
  if (at + 4 > raw.length) cut();
  const flags = raw[at + 3]!;
  if (flags & 0xe0) throw zlibError('unknown header flags set', 'Z_DATA_ERROR');
  at += 10;
  if (at > raw.length) cut();
  if (flags & FEXTRA) {
    if (at + 2 > raw.length) cut();
    at += 2 + raw.readUInt16LE(at);
    if (at > raw.length) cut();
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const end = raw.indexOf(0, at);
    if (end < 0) cut();
    at = end + 1;
  }
  if (flags & FHCRC) {
    if (at + 2 > raw.length) cut();
    const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    if (crc32 && (crc32(raw.subarray(start, at)) & 0xffff) !== raw.readUInt16LE(at))
      throw zlibError('header crc mismatch', 'Z_DATA_ERROR');
    at += 2;
  }
  return at;
}
