import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A running loopback proxy. */
export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`: use it as the endpoint instead of the target's. */
  endpoint: string;
  /** Requests seen (a request = a burst of client bytes after a quiet connection). */
  requests(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 that holds every request for `delayMs` before passing it on, to
 * measure the tool against an endpoint as far away as a real AWS region. Bytes keep their order:
 * chunks arriving together leave together, `delayMs` after the first of them arrived.
 */
export async function startLatencyProxy(
  target: { host: string; port: number },
  delayMs: number,
): Promise<LatencyProxy> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let releaseAt = 0;
    let queue = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const now = Date.now();
      // A new request starts when the previous burst has already been released.
      if (now >= releaseAt) {
        requests += 1;
        releaseAt = now + delayMs;
      }
      const due = releaseAt;
      // Chained so bytes keep their order; each chunk waits only until its own release time.
      queue = queue.then(
        () =>
          new Promise<void>((resolve) => {
            setTimeout(
              () => {
                upstream.write(chunk);
                resolve();
              },
              Math.max(0, due - Date.now()),
            );
          }),
      );
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
