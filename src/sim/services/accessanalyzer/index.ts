import { createHash } from 'node:crypto';
import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext } from '../../core/service.js';
import type { AccountState } from '../../state.js';
import { emptyS3Account, type S3AccountState } from '../s3/model.js';
import { externalGrants } from './grants.js';

interface Analyzer {
  name: string;
  arn: string;
  type: string;
  createdAt: string;
}

/** Per account: analyzers by region, then by name. */
interface AnalyzerState {
  analyzers: Record<string, Record<string, Analyzer>>;
}

type Ctx = OpContext<AnalyzerState>;

function analyzersOf(ctx: Ctx): Record<string, Analyzer> {
  return (ctx.state.analyzers[ctx.region] ??= {});
}

function notFound(what: string): SimError {
  return new SimError('ResourceNotFoundException', `Analyzer ${what} not found`, 404, {
    resourceId: what,
    resourceType: 'Analyzer',
  });
}

function shape(a: Analyzer) {
  return { arn: a.arn, name: a.name, type: a.type, createdAt: a.createdAt, status: 'ACTIVE', tags: {} };
}

/** One finding per resource and external principal, as an external-access analyzer reports them. */
function findingsFor(ctx: Ctx, account: AccountState, analyzer: Analyzer) {
  const resources: { arn: string; type: string; policy: string | undefined }[] = [
    ...Object.values(account.iam.roles).map((r) => ({
      arn: r.arn,
      type: 'AWS::IAM::Role',
      policy: r.assumeRolePolicyDocument,
    })),
    ...Object.values(ctx.sim.serviceState<S3AccountState>(account.accountId, 's3', emptyS3Account).buckets)
      .filter((b) => b.region === ctx.region)
      .map((b) => ({ arn: `arn:aws:s3:::${b.name}`, type: 'AWS::S3::Bucket', policy: b.policy })),
  ];
  return resources.flatMap((r) =>
    externalGrants(r.policy, account.accountId).map((g) => {
      const id = createHash('sha256').update(`${analyzer.arn}|${r.arn}|${g.principal}`).digest('hex');
      return {
        id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
        principal: { AWS: g.principal },
        action: g.actions,
        resource: r.arn,
        isPublic: g.principal === '*' && !g.conditional,
        resourceType: r.type,
        condition: g.condition,
        createdAt: analyzer.createdAt,
        analyzedAt: ctx.sim.nowIso(),
        updatedAt: ctx.sim.nowIso(),
        status: 'ACTIVE',
        resourceOwnerAccount: account.accountId,
      };
    }),
  );
}

/**
 * IAM Access Analyzer (restJson1, API 2019-11-01): account analyzers per region and their
 * external-access findings, computed from role trust policies and the region's bucket policies
 * each time they are listed (AWS re-analyses on every policy change).
 */
export const accessAnalyzerService = defineService<AnalyzerState>({
  signingName: 'access-analyzer',
  protocol: 'restJson',
  actionPrefix: 'access-analyzer',
  eventSource: 'access-analyzer.amazonaws.com',
  apiVersion: '2019-11-01',
  endpointHost: (region) => `access-analyzer.${region}.amazonaws.com`,
  initState: () => ({ analyzers: {} }),
  operations: {
    CreateAnalyzer: {
      http: 'PUT /analyzer',
      handler(ctx) {
        const name = bodyString(ctx.body.analyzerName);
        const type = bodyString(ctx.body.type) || 'ACCOUNT';
        if (!/^[A-Za-z][A-Za-z0-9_.-]{0,254}$/.test(name))
          throw new SimError('ValidationException', 'Invalid analyzer name', 400, {
            reason: 'fieldValidationFailed',
          });
        const all = analyzersOf(ctx);
        if (all[name]) throw new SimError('ConflictException', `Analyzer ${name} already exists`, 409);
        if (Object.values(all).some((a) => a.type === type))
          throw new SimError(
            'ServiceQuotaExceededException',
            'Only one analyzer of each type is allowed per region',
            402,
          );
        const arn = `arn:aws:access-analyzer:${ctx.region}:${ctx.caller.accountId}:analyzer/${name}`;
        all[name] = { name, arn, type, createdAt: ctx.sim.nowIso() };
        return { arn };
      },
    },
    ListAnalyzers: {
      http: 'GET /analyzer',
      handler(ctx) {
        const type = ctx.params.get('type');
        return {
          analyzers: Object.values(analyzersOf(ctx))
            .filter((a) => !type || a.type === type)
            .map(shape),
        };
      },
    },
    GetAnalyzer: {
      http: 'GET /analyzer/{analyzerName}',
      handler(ctx) {
        const a = analyzersOf(ctx)[ctx.pathParams.analyzerName ?? ''];
        if (!a) throw notFound(ctx.pathParams.analyzerName ?? '');
        return { analyzer: shape(a) };
      },
    },
    DeleteAnalyzer: {
      http: 'DELETE /analyzer/{analyzerName}',
      handler(ctx) {
        const name = ctx.pathParams.analyzerName ?? '';
        if (!analyzersOf(ctx)[name]) throw notFound(name);
        delete analyzersOf(ctx)[name];
        return {};
      },
    },
    ListFindings: {
      http: 'POST /finding',
      handler(ctx) {
        const arn = bodyString(ctx.body.analyzerArn);
        const analyzer = Object.values(analyzersOf(ctx)).find((a) => a.arn === arn);
        if (!analyzer) throw notFound(arn);
        return { findings: findingsFor(ctx, ctx.account, analyzer) };
      },
    },
  },
});
