import { SimError } from '../errors.js';
import { SimResponse, type SimHttpRequest, type SimHttpResponse } from '../http.js';
import { QueryParams } from '../params.js';
import type { RouteMatch, ServiceDef } from '../service.js';
import type { Codec } from './codec.js';

/** JSON text with dates as epoch seconds (the JSON protocols' default timestamp format). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : v;
  });
}

function parseBody(req: SimHttpRequest): Record<string, unknown> {
  const text = req.body.toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    throw new SimError('SerializationException', 'Start of structure or map found where not expected.', 400);
  }
}

function jsonResponse(
  status: number,
  body: string,
  headers: Record<string, string>,
  type: string,
): SimHttpResponse {
  return { status, headers: { 'content-type': type, ...headers }, body };
}

function success(result: unknown, requestId: string, type: string): SimHttpResponse {
  const headers = { 'x-amzn-RequestId': requestId };
  if (result instanceof SimResponse) {
    const body =
      typeof result.body === 'string' || Buffer.isBuffer(result.body)
        ? result.body
        : result.body === undefined
          ? ''
          : toJson(result.body);
    return { status: result.status, headers: { 'content-type': type, ...headers, ...result.headers }, body };
  }
  return jsonResponse(200, toJson(result ?? {}), headers, type);
}

/**
 * Whether an X-Amz-Target prefix names the service. botocore sends the full
 * `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`; the JS SDK only the last part.
 */
export function targetMatches(prefix: string, servicePrefix: string): boolean {
  return prefix === servicePrefix || servicePrefix.endsWith(`.${prefix}`);
}

/** awsJson1.1 (CloudTrail, Secrets Manager, SSM): `X-Amz-Target: <prefix>.<Operation>`. */
export const json11Codec: Codec = {
  operation(req, service) {
    const target = req.headers['x-amz-target'] ?? '';
    const dot = target.lastIndexOf('.');
    if (dot < 0) return undefined;
    if (service.targetPrefix && !targetMatches(target.slice(0, dot), service.targetPrefix)) return undefined;
    return { operation: target.slice(dot + 1) };
  },
  input(req) {
    return { params: QueryParams.parse(req.rawQuery), body: parseBody(req) };
  },
  success(_service, _operation, result, requestId) {
    return success(result, requestId, 'application/x-amz-json-1.1');
  },
  error(_service, error, requestId) {
    // The SDK reads the code from x-amzn-ErrorType first, then `__type` (aws-facts §5.4).
    return jsonResponse(
      error.status,
      JSON.stringify({ __type: error.code, message: error.message, ...error.extra }),
      { 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.code },
      'application/x-amz-json-1.1',
    );
  },
};

interface CompiledRoute {
  operation: string;
  method: string;
  pattern: RegExp;
  names: string[];
}

const routeCache = new WeakMap<object, CompiledRoute[]>();

function compileRoutes(service: ServiceDef<unknown>): CompiledRoute[] {
  const cached = routeCache.get(service);
  if (cached) return cached;
  const routes: CompiledRoute[] = [];
  for (const [operation, op] of Object.entries(service.operations)) {
    if (!op.http) continue;
    const [method = 'GET', template = '/'] = op.http.split(' ');
    const [pathPart = '/'] = template.split('?');
    const names: string[] = [];
    const source = pathPart
      .split('/')
      .map((seg) => {
        const m = /^\{([^}+]+)(\+?)\}$/.exec(seg);
        if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]!);
        return m[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    routes.push({ operation, method: method.toUpperCase(), pattern: new RegExp(`^${source}/?$`), names });
  }
  // Literal paths first so `/functions/{Name}` does not swallow `/functions/{Name}/policy`.
  routes.sort((a, b) => b.pattern.source.length - a.pattern.source.length);
  routeCache.set(service, routes);
  return routes;
}

/** Match a request against `http: 'METHOD /path/{Param}'` declarations. */
export function matchRestRoute(req: SimHttpRequest, service: ServiceDef<unknown>): RouteMatch | undefined {
  for (const r of compileRoutes(service)) {
    if (r.method !== req.method) continue;
    const m = r.pattern.exec(req.rawPath);
    if (!m) continue;
    const pathParams: Record<string, string> = {};
    r.names.forEach((n, i) => (pathParams[n] = decodeURIComponent(m[i + 1] ?? '')));
    return { operation: r.operation, pathParams };
  }
  return undefined;
}

/** restJson1 (Lambda, GuardDuty): operations by method and path. */
export const restJsonCodec: Codec = {
  operation(req, service) {
    return service.route ? service.route(req) : matchRestRoute(req, service);
  },
  input(req) {
    return { params: QueryParams.parse(req.rawQuery), body: parseBody(req) };
  },
  success(_service, _operation, result, requestId) {
    return success(result, requestId, 'application/json');
  },
  error(_service, error, requestId) {
    return jsonResponse(
      error.status,
      JSON.stringify({
        Type: error.faultType === 'Sender' ? 'User' : 'Service',
        message: error.message,
        ...error.extra,
      }),
      { 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.code },
      'application/json',
    );
  },
};
