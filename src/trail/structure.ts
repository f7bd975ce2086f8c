import { WASM_BASE64 } from './structure-wasm.js';

/** What `StructureScanner.close` found instead of a closing bracket. */
export const ENDS_IN_STRING = -1;
export const ENDS_IN_VALUE = -2;
export const BACKSLASH_OUTSIDE_STRING = -3;

/** Bytes past the end that the scanner may read (one block). */
const PAD = 64;
const PAGE = 65536;
/** Largest input: the scanner's positions are signed 32-bit numbers (CloudTrail files are MBs). */
const MAX_BYTES = 2 ** 30;

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  close(start: number, end: number): number;
}

/** The WebAssembly API (Node's global; the project's TypeScript libraries do not declare it). */
const { WebAssembly: wasmApi } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object) => { exports: unknown };
  };
};

let compiled: object | null | undefined;

/**
 * Finds where a record of a file closes, 64 bytes at a time (structure.wat): a copy of the file
 * in WebAssembly memory, then `close(i)` for each record that starts at `i`. Null where this
 * Node has no WebAssembly SIMD (the caller walks the bytes itself).
 */
export class StructureScanner {
  private length = 0;

  private constructor(private readonly wasm: Exports) {}

  static create(): StructureScanner | null {
    if (compiled === undefined) {
      try {
        compiled = new wasmApi.Module(Buffer.from(WASM_BASE64, 'base64'));
      } catch {
        compiled = null;
      }
    }
    if (!compiled) return null;
    return new StructureScanner(new wasmApi.Instance(compiled).exports as Exports);
  }

  /**
   * Copy the bytes to scan (the previous ones are gone). False when they are too many for it
   * (over 1 GB, or memory refused): the caller walks them itself.
   */
  load(buf: Uint8Array): boolean {
    // Written in place (`arena`): nothing to copy, only the block after the end is cleared.
    const inPlace = buf.buffer === this.wasm.memory.buffer && buf.byteOffset === 0;
    if (!this.reserve(buf.length)) return false;
    const bytes = new Uint8Array(this.wasm.memory.buffer);
    if (!inPlace) bytes.set(buf, 0);
    bytes.fill(0, buf.length, buf.length + PAD);
    this.length = buf.length;
    return true;
  }

  /**
   * A buffer of at least `bytes` over the scanner's own memory, for bytes that will be scanned:
   * `load` of a view of it that starts at its first byte copies nothing (a prefilter worker
   * inflates each file there: copying 1.2 GB of trail in cost its two threads 0.1 s each). Growing
   * keeps the bytes already written; a buffer it gave before is then empty (detached). Null when
   * that many bytes cannot be had (over 1 GB, or memory refused): use a buffer of your own.
   */
  arena(bytes: number): Buffer | null {
    if (!this.reserve(bytes)) return null;
    const memory = this.wasm.memory.buffer;
    return Buffer.from(memory, 0, memory.byteLength - PAD);
  }

  /** Grow the memory to hold `bytes` and the block after them; false when it cannot. */
  private reserve(bytes: number): boolean {
    if (bytes > MAX_BYTES) return false;
    const memory = this.wasm.memory;
    const need = bytes + PAD;
    try {
      if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
    } catch {
      return false;
    }
    return true;
  }

  /**
   * The index of the bracket closing the `{` or `[` at `start` (which lies outside any string),
   * or `ENDS_IN_STRING`, `ENDS_IN_VALUE` (the bytes end first), `BACKSLASH_OUTSIDE_STRING` (not
   * JSON: walk it byte by byte).
   */
  close(start: number): number {
    return this.wasm.close(start, this.length);
  }
}
