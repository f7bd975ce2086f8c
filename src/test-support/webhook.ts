import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local webhook's URL, the JSON bodies it received, and the status it answers. */
export interface Hook {
  url: string;
  bodies: { text: string; tourniquet: Record<string, unknown> }[];
  status: number;
  close(): Promise<void>;
}

/** A local Slack-compatible webhook: records each JSON body, answers `status`. */
export async function webhook(): Promise<Hook> {
  const hook = { bodies: [], status: 200 } as unknown as Hook;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.headers['content-type'] === 'application/json')
        hook.bodies.push(JSON.parse(body) as Hook['bodies'][number]);
      res.writeHead(hook.status).end(hook.status === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret-token`;
  hook.close = () => new Promise((r) => server.close(() => r()));
  return hook;
}
