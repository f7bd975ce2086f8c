import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';

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
 */
export class FileInflater {
  // Sized on first use: discovery's inflater only ever inflates heads, and is made at import.
  private input = Buffer.alloc(0);
  private output: Buffer = Buffer.alloc(0);
  private stream: Gunzip | null = null;

  /**
   * With an `arena`, the output goes into the buffers it gives (at least the bytes asked for,
   * keeping what was written when it grows; null: not that many), as a prefilter worker inflates
   * into its structure scanner's memory (`StructureScanner.arena`).
   */
  constructor(private readonly arena: ((bytes: number) => Buffer | null) | null = null) {}

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
    const stream = this.stream ?? this.open();
    const handle = (stream as unknown as { _handle?: ZlibHandle })._handle;
    const state = (stream as unknown as { _writeState?: Uint32Array })._writeState;
    if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) {
      return gunzipSync(raw, { chunkSize: Math.max(64 * 1024, sizeHint + 1024), finishFlush: flush });
    }
    // Deflate expands at most 1032 times: a forged trailer cannot make it reserve more.
    const expected = Math.min(sizeHint, raw.length * 1032);
    if (this.output.length < expected + 1) this.output = this.outputOf(expected + 1024, 0);
    // Every zlib stream has reset() (Node's types list it on some kinds only).
    (stream as unknown as { reset(): void }).reset();
    let inOffset = 0;
    let inLeft = raw.length;
    let outOffset = 0;
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
      if (outAfter !== 0) return this.output.subarray(0, outOffset);
      this.grow('output', outOffset);
    }
  }

  private open(): Gunzip {
    const stream = createGunzip();
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
