/**
 * Rates and time left for a progress line: `312 MB/s · 120,400 rec/s · ETA 0:04`. Bytes are the
 * JSON read (decompressed); records are counted where the reader knows them (a hunt's records are
 * the matches found so far, shown as such).
 */
export class Meter {
  private readonly started: number;
  bytes = 0;
  records = 0;

  constructor(
    private readonly totalBytes: number,
    /** `rec/s` for a full load; `found` for a hunt, whose records are the matches. */
    private readonly records_: 'rate' | 'found',
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** The line's detail after `bytes` more bytes and `records` more records. */
  add(bytes: number, records = 0): string {
    this.bytes += bytes;
    this.records += records;
    return this.detail();
  }

  detail(): string {
    const seconds = Math.max(0.001, (this.now() - this.started) / 1000);
    const perSecond = this.bytes / seconds;
    const parts = [`${Math.round(perSecond / 1e6)} MB/s`];
    parts.push(
      this.records_ === 'rate'
        ? `${grouped(Math.round(this.records / seconds))} rec/s`
        : `${grouped(this.records)} found`,
    );
    if (perSecond > 0 && this.totalBytes > this.bytes) {
      const left = Math.round((this.totalBytes - this.bytes) / perSecond);
      parts.push(`ETA ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`);
    }
    return parts.join(' · ');
  }
}

/**
 * An integer with comma thousands separators, as `toLocaleString('en-US')` writes it: that call
 * took 11-16 µs (ICU), and a hunt updates its line after each of thousands of files.
 */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
