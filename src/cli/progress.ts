import type { Logger, Progress, ProgressTask } from '../context.js';
import { forTerminal } from '../untrusted.js';
import type { Stream, Styler } from './output.js';

/**
 * Progress on stderr, redrawn in place, only when stderr is a terminal and the person did not
 * ask for --json or --quiet; otherwise silent.
 */
export function terminalProgress(stream: Stream, enabled: boolean, now: () => number = Date.now): Progress {
  if (!enabled || !stream.isTTY) return { start: () => ({ tick: () => undefined, done: () => undefined }) };
  return {
    start(label: string, total?: number): ProgressTask {
      let count = 0;
      let lastDraw = 0;
      const started = now();
      const draw = (detail?: string) => {
        const pct = total
          ? ` ${Math.floor((100 * count) / total)}% (${count}/${total})`
          : count
            ? ` ${count}`
            : '';
        const extra = detail ? ` ${forTerminal(detail).slice(0, 60)}` : '';
        stream.write(`\r\u001b[2K${forTerminal(label)}${pct}${extra}`);
      };
      draw();
      return {
        tick(n = 1, detail?: string) {
          count += n;
          const t = now();
          if (t - lastDraw > 100 || (total !== undefined && count >= total)) {
            lastDraw = t;
            draw(detail);
          }
        },
        done(summary?: string) {
          const secs = ((now() - started) / 1000).toFixed(1);
          stream.write(`\r\u001b[2K${forTerminal(label)}: ${forTerminal(summary ?? 'done')} (${secs}s)\n`);
        },
      };
    },
  };
}

/** Logs on stderr: warnings always, information unless --quiet, debug with TOURNIQUET_DEBUG. */
export function stderrLogger(
  stream: Stream,
  style: Styler,
  options: { quiet: boolean; debug: boolean },
): Logger {
  return {
    info: (m) => {
      if (!options.quiet) stream.write(`${forTerminal(m)}\n`);
    },
    warn: (m) => {
      stream.write(`${style.yellow('warning:')} ${forTerminal(m)}\n`);
    },
    debug: (m) => {
      if (options.debug) stream.write(`${style.dim(`debug: ${forTerminal(m)}`)}\n`);
    },
  };
}
