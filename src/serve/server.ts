import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Clock } from '../clock.js';
import { dashboardApp } from './app.js';
import type { CaseSource } from './case-data.js';

/** Addresses that reach only this machine. */
export const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

export interface RunningDashboard {
  /** The URL to open, token included. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serve the dashboard on `host:port` (port 0: a free one) with a fresh random token. Binding
 * anything but loopback is the caller's explicit choice (`--host`), warned about by the CLI.
 */
export async function startDashboard(options: {
  source: CaseSource;
  clock: Clock;
  host?: string;
  port?: number;
  pollMs?: number;
}): Promise<RunningDashboard> {
  const host = options.host ?? '127.0.0.1';
  const token = randomBytes(24).toString('base64url');
  const app = dashboardApp({
    source: options.source,
    token,
    clock: options.clock,
    hosts: LOOPBACK.includes(host) ? LOOPBACK : [...LOOPBACK, host],
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/${token}/`,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Live streams stay open until their clients go: end them so close returns.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
