import { SimResponse } from '../http.js';
import { QueryParams } from '../params.js';
import type { Codec } from './codec.js';
import { children, escapeXml, xmlDocument, type XmlValue } from './xml.js';

/**
 * REST-XML (S3). The service routes requests itself (`route`), from method, bucket (path-style
 * `/<bucket>/<key>` or virtual-host `<bucket>.localhost`) and sub-resource query keys. A handler
 * returns `respond({...})` with a string/Buffer body, or a one-key object `{RootElement: {...}}`
 * written as a document with flat lists; `undefined` is an empty 200.
 */
export const restXmlCodec: Codec = {
  operation(req, service) {
    return service.route?.(req);
  },
  input(req) {
    return { params: QueryParams.parse(req.rawQuery), body: {} };
  },
  success(_service, _operation, result, requestId) {
    const headers: Record<string, string> = {
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId(requestId),
    };
    if (result instanceof SimResponse) {
      const body =
        typeof result.body === 'string' || Buffer.isBuffer(result.body)
          ? result.body
          : result.body === undefined
            ? ''
            : documentOf(result.body);
      const type: Record<string, string> =
        result.body !== undefined && !Buffer.isBuffer(result.body)
          ? { 'content-type': 'application/xml' }
          : {};
      return { status: result.status, headers: { ...type, ...headers, ...result.headers }, body };
    }
    if (result === undefined || result === null) return { status: 200, headers, body: '' };
    return {
      status: 200,
      headers: { 'content-type': 'application/xml', ...headers },
      body: documentOf(result),
    };
  },
  error(_service, error, requestId, req) {
    const headers = {
      'content-type': 'application/xml',
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId(requestId),
    };
    // HEAD answers carry no body; the SDK maps the status (404 → NotFound) itself.
    if (req.method === 'HEAD') return { status: error.status, headers, body: '' };
    return {
      status: error.status,
      headers,
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code>` +
        `<Message>${escapeXml(error.message)}</Message>${children(error.extra, 'flat')}` +
        `<RequestId>${requestId}</RequestId><HostId>${hostId(requestId)}</HostId></Error>`,
    };
  },
};

function documentOf(value: unknown): string {
  const entries = Object.entries(value as Record<string, XmlValue>);
  const [root, inner] = entries[0] ?? ['Result', {}];
  return xmlDocument(root, (inner ?? {}) as Record<string, XmlValue>, 'flat');
}

/** S3's x-amz-id-2 is an opaque base64 token; derive it from the request id. */
function hostId(requestId: string): string {
  return Buffer.from(`${requestId}:sim`).toString('base64');
}
