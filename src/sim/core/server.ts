import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from './dispatch.js';
import type { SimHttpRequest } from './http.js';
import { QueryParams } from './params.js';

/**
 * Undo `aws-chunked` framing (`<hex-size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n`),
 * which the SDK and CLI use for streaming S3 uploads with trailing checksums.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  while (pos < body.length) {
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(pos, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    pos = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function isChunked(headers: Record<string, string>): boolean {
  return (
    (headers['content-encoding'] ?? '').includes('aws-chunked') ||
    (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')
  );
}

/** Turn a Node request and its body into the simulator's request view. */
export function toSimRequest(req: IncomingMessage, raw: Buffer): SimHttpRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const rawHeaders: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  const headers: Record<string, string> = {};
  for (const [name, value] of rawHeaders) {
    const k = name.toLowerCase();
    headers[k] = headers[k] === undefined ? value : `${headers[k]},${value}`;
  }
  const host = headers.host ?? '';
  // Virtual-host style S3: `<bucket>.localhost:<port>` (any `<bucket>.<host>` whose last label is not numeric).
  const hostname = host.replace(/:\d+$/, '');
  const dot = hostname.indexOf('.');
  const virtualBucket =
    hostname.endsWith('.localhost') && dot > 0
      ? hostname.slice(0, hostname.length - '.localhost'.length)
      : undefined;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    path = rawPath;
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath,
    path,
    rawQuery,
    query: QueryParams.parse(rawQuery),
    headers,
    rawHeaders,
    body: isChunked(headers) ? decodeAwsChunked(raw) : raw,
    host,
    remoteAddress: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    virtualBucket,
  };
}

/** Largest request body the simulated account reads (S3 PutObject caps larger uploads at 5 GB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain', connection: 'close' });
  res.end(text);
}

/**
 * Serve a dispatcher on 127.0.0.1. A web page must not drive it: a request a browser sends
 * cross-origin (it carries `Origin`; the SDK and the CLI never send one) or a CORS preflight is
 * refused with no `Access-Control-*` header, and bodies are bounded.
 */
export async function listen(
  dispatcher: Dispatcher,
  port: number,
  host = '127.0.0.1',
  maxBodyBytes = MAX_BODY_BYTES,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.origin !== undefined || req.method === 'OPTIONS') {
      refuse(res, 403, 'The simulated account does not answer web pages (Origin header or CORS preflight).');
      req.resume();
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      refuse(res, 413, `Request body over ${maxBodyBytes} bytes.`);
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) {
        refuse(res, 413, `Request body over ${maxBodyBytes} bytes.`);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBodyBytes) return;
      const simReq = toSimRequest(req, Buffer.concat(chunks));
      dispatcher.handle(simReq).then(
        (answer) => {
          const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
          res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
          res.end(simReq.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator failure: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    });
  });
  // An idle keep-alive connection stays open for ten minutes: a client reusing a socket the server
  // is closing as idle sees "socket hang up" before its request is read, and on a loaded machine a
  // test's CLI call can idle the SDK's pooled sockets past Node's 5 s default. `stop()` closes
  // every connection, so they never hold it open.
  server.keepAliveTimeout = 600_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
