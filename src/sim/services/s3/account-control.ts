import type { SimHttpRequest } from '../../core/http.js';
import { respond } from '../../core/http.js';
import type { OperationDef, RouteMatch } from '../../core/service.js';
import { s3Error } from './errors.js';
import type { PublicAccessBlock, S3AccountState } from './model.js';
import { parseBody } from './xml-input.js';

/**
 * S3 Control's account-level Block Public Access (API 2018-08-20). S3 Control signs as `s3`, so
 * it reaches the S3 service: requests under `/v20180820/` with `x-amz-account-id` are routed
 * here. CloudTrail records them as `s3.amazonaws.com` `Get/Put/DeleteAccountPublicAccessBlock`.
 */
const CONTROL_NS = 'http://awss3control.amazonaws.com/doc/2018-08-20/';
const PATH = '/v20180820/configuration/publicAccessBlock';
const SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

interface ControlState {
  publicAccessBlock?: PublicAccessBlock;
}

/** Route an S3 Control request, or undefined for a plain S3 one. */
export function routeS3Control(req: SimHttpRequest): RouteMatch | undefined {
  if (req.path !== PATH || !req.headers['x-amz-account-id']) return undefined;
  const op = {
    GET: 'GetAccountPublicAccessBlock',
    PUT: 'PutAccountPublicAccessBlock',
    DELETE: 'DeleteAccountPublicAccessBlock',
  }[req.method];
  return op ? { operation: op } : undefined;
}

type Ctx = Parameters<OperationDef<S3AccountState>['handler']>[0];

/** The account named by the header must be the caller's (S3 Control answers AccessDenied otherwise). */
function controlOf(ctx: Ctx): ControlState {
  const account = ctx.http.headers['x-amz-account-id'] ?? '';
  if (account !== ctx.caller.accountId) throw s3Error('AccessDenied', 'Access Denied', 403);
  ctx.trail.requestParameters = { accountId: account, publicAccessBlock: '' };
  return ctx.sim.serviceState<ControlState>(account, 's3-control', () => ({}));
}

function flag(config: Record<string, unknown>, name: string): boolean {
  const v = config[name];
  return (
    String(typeof v === 'object' && v !== null ? (v as { '#text'?: unknown })['#text'] : v).toLowerCase() ===
    'true'
  );
}

/** Get/Put/DeleteAccountPublicAccessBlock. */
export const ACCOUNT_CONTROL_OPERATIONS: Record<string, OperationDef<S3AccountState>> = {
  GetAccountPublicAccessBlock: {
    auth: { action: 's3:GetAccountPublicAccessBlock' },
    handler(ctx) {
      const block = controlOf(ctx).publicAccessBlock;
      if (!block)
        throw s3Error(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
          {
            AccountId: ctx.caller.accountId,
          },
        );
      return { PublicAccessBlockConfiguration: { '@xmlns': CONTROL_NS, ...block } };
    },
  },
  PutAccountPublicAccessBlock: {
    auth: { action: 's3:PutAccountPublicAccessBlock' },
    handler(ctx) {
      const state = controlOf(ctx);
      const config = parseBody(ctx.http.body, 'PublicAccessBlockConfiguration');
      const block = Object.fromEntries(
        SETTINGS.map((s) => [s, flag(config, s)]),
      ) as unknown as PublicAccessBlock;
      state.publicAccessBlock = block;
      ctx.trail.requestParameters = {
        accountId: ctx.caller.accountId,
        PublicAccessBlockConfiguration: { xmlns: CONTROL_NS, ...block },
        publicAccessBlock: '',
      };
      return respond({ status: 200 });
    },
  },
  DeleteAccountPublicAccessBlock: {
    // S3 Control authorizes the delete as s3:PutAccountPublicAccessBlock.
    auth: { action: 's3:PutAccountPublicAccessBlock' },
    handler(ctx) {
      delete controlOf(ctx).publicAccessBlock;
      return respond({ status: 204 });
    },
  },
};
