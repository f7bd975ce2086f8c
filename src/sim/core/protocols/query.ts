import type { SimError } from '../errors.js';
import { SimResponse, type SimHttpRequest, type SimHttpResponse } from '../http.js';
import { QueryParams } from '../params.js';
import type { ServiceDef } from '../service.js';
import type { Codec } from './codec.js';
import { children, element, escapeXml, type ListStyle, type XmlValue } from './xml.js';

/**
 * Parameters of a query-protocol request: the form body (JS SDK and CLI POST) merged with the URL
 * query string (AWS also accepts GET with the same parameters; aws-facts §5.2).
 */
export function formParams(req: SimHttpRequest, flavour: 'query' | 'ec2'): QueryParams {
  const fromUrl = QueryParams.parse(req.rawQuery, flavour).entries();
  const isForm = (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded');
  const fromBody =
    isForm || req.method === 'POST' ? QueryParams.parse(req.body.toString('utf8'), flavour).entries() : [];
  return new QueryParams([...fromUrl, ...fromBody], flavour);
}

/** Send an explicit SimResponse as is (string/Buffer bodies) or as XML children. */
export function explicitResponse(
  result: SimResponse,
  contentType: string,
  requestIdHeaders: Record<string, string>,
): SimHttpResponse {
  const body = typeof result.body === 'string' || Buffer.isBuffer(result.body) ? result.body : '';
  return {
    status: result.status,
    headers: { 'content-type': contentType, ...requestIdHeaders, ...result.headers },
    body,
  };
}

function xmlns(service: ServiceDef<unknown>): string {
  return service.xmlNamespace ? ` xmlns="${escapeXml(service.xmlNamespace)}"` : '';
}

/**
 * awsQuery (IAM, STS, CloudFormation): `<OpResponse><OpResult>…</OpResult><ResponseMetadata>`;
 * lists as `<member>`; operations without output have no Result element (aws-facts §5.3).
 */
export const queryCodec: Codec = {
  operation(req) {
    const action = formParams(req, 'query').get('Action');
    return action ? { operation: action } : undefined;
  },
  input(req) {
    return { params: formParams(req, 'query'), body: {} };
  },
  success(service, operation, result, requestId) {
    const headers = { 'x-amzn-RequestId': requestId };
    if (result instanceof SimResponse) return explicitResponse(result, 'text/xml', headers);
    const lists: ListStyle = 'member';
    const inner =
      result === undefined || result === null ? '' : element(`${operation}Result`, result as XmlValue, lists);
    const body =
      `<${operation}Response${xmlns(service)}>${inner}` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
    return { status: 200, headers: { 'content-type': 'text/xml', ...headers }, body };
  },
  error(service, error, requestId) {
    return {
      status: error.status,
      headers: { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId },
      body:
        `<ErrorResponse${xmlns(service)}><Error><Type>${error.faultType}</Type>` +
        `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
        `${children(error.extra, 'member')}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  },
};

/**
 * EC2 query: same requests (flattened lists), answers without a Result wrapper and with a
 * lower-case `requestId`; lists as `<item>`; errors as `<Response><Errors>…<RequestID>`.
 */
export const ec2Codec: Codec = {
  operation(req) {
    const action = formParams(req, 'ec2').get('Action');
    return action ? { operation: action } : undefined;
  },
  input(req) {
    return { params: formParams(req, 'ec2'), body: {} };
  },
  success(service, operation, result, requestId) {
    const headers = { 'x-amzn-RequestId': requestId };
    if (result instanceof SimResponse) return explicitResponse(result, 'text/xml;charset=UTF-8', headers);
    const inner = children(result as Record<string, XmlValue> | undefined, 'item');
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response${xmlns(service)}>` +
      `<requestId>${requestId}</requestId>${inner}</${operation}Response>`;
    return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', ...headers }, body };
  },
  error(_service, error: SimError, requestId) {
    return {
      status: error.status,
      headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-RequestId': requestId },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
        `<Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  },
};
