import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import { scanFindings } from './detect.js';
import { suppressionOps } from './suppression.js';
import { emptyGuardDuty, type Detector, type GuardDutyState } from './model.js';

type Ctx = OpContext<GuardDutyState>;

function detectorArn(ctx: Ctx, id: string): string {
  return `arn:aws:guardduty:${ctx.region}:${ctx.caller.accountId}:detector/${id}`;
}

/** The region's detector named in the path, or BadRequestException as GuardDuty answers. */
function detectorOf(ctx: Ctx): Detector {
  const id = ctx.pathParams.DetectorId ?? '';
  const d = ctx.state.detectors[ctx.region];
  if (!d || d.detectorId !== id) {
    throw new SimError(
      'BadRequestException',
      'The request is rejected because the input detectorId is not owned by the current account.',
      400,
      {
        Message: 'The request is rejected because the input detectorId is not owned by the current account.',
      },
    );
  }
  return d;
}

function auth(action: string): OperationDef<GuardDutyState>['auth'] {
  return { action, resource: (ctx: Ctx) => detectorArn(ctx, ctx.pathParams.DetectorId ?? '') };
}

const operations: Record<string, OperationDef<GuardDutyState>> = {
  CreateDetector: {
    http: 'POST /detector',
    handler(ctx) {
      if (ctx.state.detectors[ctx.region]) {
        throw new SimError(
          'BadRequestException',
          'The request is rejected because a detector already exists for the current account.',
          400,
        );
      }
      const now = ctx.sim.nowIso();
      const d: Detector = {
        detectorId: ctx.sim.ids.hex(32),
        createdAt: now,
        updatedAt: now,
        status: ctx.body.enable === false ? 'DISABLED' : 'ENABLED',
        findingPublishingFrequency: bodyString(ctx.body.findingPublishingFrequency) || 'SIX_HOURS',
        findings: [],
        raised: {},
      };
      ctx.state.detectors[ctx.region] = d;
      return { detectorId: d.detectorId };
    },
  },
  ListDetectors: {
    http: 'GET /detector',
    handler(ctx) {
      const d = ctx.state.detectors[ctx.region];
      return { detectorIds: d ? [d.detectorId] : [] };
    },
  },
  GetDetector: {
    http: 'GET /detector/{DetectorId}',
    auth: auth('guardduty:GetDetector'),
    handler(ctx) {
      const d = detectorOf(ctx);
      ctx.trail.requestParameters = { detectorId: d.detectorId };
      return {
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
        status: d.status,
        serviceRole: `arn:aws:iam::${ctx.caller.accountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
        findingPublishingFrequency: d.findingPublishingFrequency,
      };
    },
  },
  UpdateDetector: {
    http: 'POST /detector/{DetectorId}',
    auth: auth('guardduty:UpdateDetector'),
    handler(ctx) {
      const d = detectorOf(ctx);
      if (typeof ctx.body.enable === 'boolean') d.status = ctx.body.enable ? 'ENABLED' : 'DISABLED';
      if (typeof ctx.body.findingPublishingFrequency === 'string')
        d.findingPublishingFrequency = ctx.body.findingPublishingFrequency;
      d.updatedAt = ctx.sim.nowIso();
      ctx.trail.requestParameters = { detectorId: d.detectorId, ...ctx.body };
      return {};
    },
  },
  DeleteDetector: {
    http: 'DELETE /detector/{DetectorId}',
    auth: auth('guardduty:DeleteDetector'),
    handler(ctx) {
      const d = detectorOf(ctx);
      ctx.trail.requestParameters = { detectorId: d.detectorId };
      // Deleting a detector deletes its findings with it (GuardDuty UG "Suspending or disabling").
      delete ctx.state.detectors[ctx.region];
      return {};
    },
  },
  ListFindings: {
    http: 'POST /detector/{DetectorId}/findings',
    auth: auth('guardduty:ListFindings'),
    handler(ctx) {
      scanFindings(ctx.sim);
      const d = detectorOf(ctx);
      const max = typeof ctx.body.maxResults === 'number' ? ctx.body.maxResults : 50;
      const start = Number(bodyString(ctx.body.nextToken) || '0');
      const visible = d.findings.filter((f) => Date.parse(f.updatedAt) <= ctx.now.getTime());
      const page = visible.slice(start, start + max);
      ctx.trail.requestParameters = { detectorId: d.detectorId, maxResults: max };
      return {
        findingIds: page.map((f) => f.id),
        nextToken: start + max < visible.length ? String(start + max) : undefined,
      };
    },
  },
  GetFindings: {
    http: 'POST /detector/{DetectorId}/findings/get',
    auth: auth('guardduty:GetFindings'),
    handler(ctx) {
      scanFindings(ctx.sim);
      const d = detectorOf(ctx);
      const ids = Array.isArray(ctx.body.findingIds) ? ctx.body.findingIds.map(bodyString) : [];
      ctx.trail.requestParameters = { detectorId: d.detectorId, findingIds: ids };
      return { findings: d.findings.filter((f) => ids.includes(f.id)) };
    },
  },
  ArchiveFindings: {
    http: 'POST /detector/{DetectorId}/findings/archive',
    auth: auth('guardduty:ArchiveFindings'),
    handler(ctx) {
      const d = detectorOf(ctx);
      const ids = Array.isArray(ctx.body.findingIds) ? ctx.body.findingIds.map(bodyString) : [];
      for (const f of d.findings)
        if (ids.includes(f.id)) (f.service as { archived: boolean }).archived = true;
      return respond({ status: 200, body: {} });
    },
  },
  ...suppressionOps(detectorOf),
};

/** GuardDuty (restJson1, API 2017-11-28): detectors per region; findings from the account's activity. */
export const guardDutyService = defineService<GuardDutyState>({
  signingName: 'guardduty',
  protocol: 'restJson',
  eventSource: 'guardduty.amazonaws.com',
  apiVersion: '2017-11-28',
  endpointHost: (region) => `guardduty.${region}.amazonaws.com`,
  initState: emptyGuardDuty,
  operations,
});
