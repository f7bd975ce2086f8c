import type { SimError } from '../errors.js';
import type { SimHttpRequest, SimHttpResponse } from '../http.js';
import type { QueryParams } from '../params.js';
import type { RouteMatch, ServiceDef } from '../service.js';

/** One wire protocol: how to find the operation, read the input, write answers and errors. */
export interface Codec {
  operation(req: SimHttpRequest, service: ServiceDef<unknown>): RouteMatch | undefined;
  input(req: SimHttpRequest): { params: QueryParams; body: Record<string, unknown> };
  success(
    service: ServiceDef<unknown>,
    operation: string,
    result: unknown,
    requestId: string,
  ): SimHttpResponse;
  error(
    service: ServiceDef<unknown>,
    error: SimError,
    requestId: string,
    req: SimHttpRequest,
  ): SimHttpResponse;
}
