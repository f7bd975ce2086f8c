import type { QueryParams } from './params.js';

/** An HTTP request as the simulator sees it, after the body has been read. */
export interface SimHttpRequest {
  method: string;
  /** Path as sent on the wire (still percent-encoded), without the query string. */
  rawPath: string;
  /** Path with percent-escapes decoded. */
  path: string;
  /** Query string as sent (without `?`). */
  rawQuery: string;
  /** Query string parameters. */
  query: QueryParams;
  /** Header values by lower-case name (repeated headers joined with `,`). */
  headers: Record<string, string>;
  /** Headers in arrival order, names as sent. */
  rawHeaders: [string, string][];
  /** The body, decoded from `aws-chunked` framing when the client used it. */
  body: Buffer;
  /** The Host header. */
  host: string;
  /** Socket peer address (IPv4-mapped prefix removed). */
  remoteAddress: string;
  /** S3 virtual-host style bucket (`bucket.localhost:port`), when the Host names one. */
  virtualBucket?: string | undefined;
}

/** What the codec sends back. */
export interface SimHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** A handler's explicit HTTP answer (status, headers, raw or structured body). */
export class SimResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** A Buffer/string is sent as is; any other value is serialised by the protocol codec. */
  readonly body: unknown;

  constructor(init: { status?: number; headers?: Record<string, string>; body?: unknown }) {
    this.status = init.status ?? 200;
    this.headers = init.headers ?? {};
    this.body = init.body;
  }
}

/** Answer with an explicit status/headers/body (S3 objects, Lambda 201/204, HEAD responses). */
export function respond(init: {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}): SimResponse {
  return new SimResponse(init);
}
