import {
  CloudFormationClient,
  ListStackSetsCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import {
  GetDetectorCommand,
  GetFilterCommand,
  GetIPSetCommand,
  GetThreatIntelSetCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFiltersCommand,
  ListIPSetsCommand,
  ListThreatIntelSetsCommand,
} from '@aws-sdk/client-guardduty';
import {
  GetResourcePolicyCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeDocumentPermissionCommand,
  DescribeParametersCommand,
  ListAssociationsCommand,
  ListDocumentsCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { item, parsePolicy, listPages } from '../item.js';
import type { InventoryItem, ListerDef } from '../types.js';

/** Stack statuses of stacks that no longer exist. */
const GONE = new Set(['DELETE_COMPLETE']);

export const CLOUDFORMATION_LISTERS: ListerDef[] = [
  {
    id: 'cloudformation.stacks',
    service: 'cloudformation',
    scope: 'regional',
    async list(ctx) {
      const cf = ctx.pool.get(CloudFormationClient, ctx.region);
      const stacks = await listPages(
        ctx,
        'list',
        (t) => cf.send(new ListStacksCommand({ NextToken: t })),
        (o) => [o.StackSummaries, o.NextToken],
      );
      return (stacks ?? [])
        .filter((s) => !GONE.has(s.StackStatus ?? ''))
        .map((s) =>
          item(ctx, {
            type: 'AWS::CloudFormation::Stack',
            id: s.StackName ?? '',
            name: s.StackName ?? '',
            arn: s.StackId,
            createdAt: s.CreationTime,
            data: { status: s.StackStatus },
          }),
        );
    },
  },
  {
    id: 'cloudformation.stack-sets',
    service: 'cloudformation',
    scope: 'regional',
    async list(ctx) {
      const cf = ctx.pool.get(CloudFormationClient, ctx.region);
      const sets = await listPages(
        ctx,
        'list',
        (t) => cf.send(new ListStackSetsCommand({ Status: 'ACTIVE', NextToken: t })),
        (o) => [o.Summaries, o.NextToken],
      );
      return (sets ?? []).map((s) =>
        item(ctx, {
          type: 'AWS::CloudFormation::StackSet',
          id: s.StackSetName ?? '',
          name: s.StackSetName ?? '',
          arn: s.StackSetId,
          data: { status: s.Status, permissionModel: s.PermissionModel },
        }),
      );
    },
  },
];

export const SECRETS_LISTER: ListerDef = {
  id: 'secretsmanager.secrets',
  service: 'secretsmanager',
  scope: 'regional',
  async list(ctx) {
    const sm = ctx.pool.get(SecretsManagerClient, ctx.region);
    const secrets = await listPages(
      ctx,
      'list',
      (t) => sm.send(new ListSecretsCommand({ NextToken: t })),
      (o) => [o.SecretList, o.NextToken],
    );
    return Promise.all(
      (secrets ?? []).map(async (s) => {
        const policy = await ctx.read('policy', () =>
          sm.send(new GetResourcePolicyCommand({ SecretId: s.ARN })),
        );
        return item(ctx, {
          type: 'AWS::SecretsManager::Secret',
          id: s.Name ?? '',
          name: s.Name ?? '',
          arn: s.ARN,
          createdAt: s.CreatedDate,
          data: {
            rotationEnabled: s.RotationEnabled ?? false,
            lastAccessed: s.LastAccessedDate?.toISOString(),
            policy: policy === undefined ? undefined : parsePolicy(policy?.ResourcePolicy),
          },
        });
      }),
    );
  },
};

export const SSM_LISTERS: ListerDef[] = [
  {
    id: 'ssm.parameters',
    service: 'ssm',
    scope: 'regional',
    async list(ctx) {
      const ssm = ctx.pool.get(SSMClient, ctx.region);
      const params = await listPages(
        ctx,
        'list',
        (t) => ssm.send(new DescribeParametersCommand({ NextToken: t })),
        (o) => [o.Parameters, o.NextToken],
      );
      return (params ?? []).map((p) =>
        item(ctx, {
          type: 'AWS::SSM::Parameter',
          id: p.Name ?? '',
          name: p.Name ?? '',
          arn:
            p.ARN ??
            `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter${(p.Name ?? '').startsWith('/') ? '' : '/'}${p.Name ?? ''}`,
          data: { type: p.Type, lastModified: p.LastModifiedDate?.toISOString(), keyId: p.KeyId },
        }),
      );
    },
  },
  {
    id: 'ssm.documents',
    service: 'ssm',
    scope: 'regional',
    async list(ctx) {
      const ssm = ctx.pool.get(SSMClient, ctx.region);
      const docs = await listPages(
        ctx,
        'list',
        (t) =>
          ssm.send(new ListDocumentsCommand({ Filters: [{ Key: 'Owner', Values: ['Self'] }], NextToken: t })),
        (o) => [o.DocumentIdentifiers, o.NextToken],
      );
      return Promise.all(
        (docs ?? []).map(async (d) => {
          const Name = d.Name ?? '';
          const perms = await ctx.read('permissions', () =>
            ssm.send(new DescribeDocumentPermissionCommand({ Name, PermissionType: 'Share' })),
          );
          return item(ctx, {
            type: 'AWS::SSM::Document',
            id: Name,
            name: Name,
            arn: `arn:aws:ssm:${ctx.region}:${ctx.account}:document/${Name}`,
            createdAt: d.CreatedDate,
            data: {
              documentType: d.DocumentType,
              sharedWith: perms === undefined ? undefined : (perms?.AccountIds ?? []),
            },
          });
        }),
      );
    },
  },
  {
    id: 'ssm.associations',
    service: 'ssm',
    scope: 'regional',
    async list(ctx) {
      const ssm = ctx.pool.get(SSMClient, ctx.region);
      const list = await listPages(
        ctx,
        'list',
        (t) => ssm.send(new ListAssociationsCommand({ NextToken: t })),
        (o) => [o.Associations, o.NextToken],
      );
      return (list ?? []).map((a) =>
        item(ctx, {
          type: 'AWS::SSM::Association',
          id: a.AssociationId ?? '',
          name: a.AssociationName ?? a.Name ?? a.AssociationId ?? '',
          data: {
            document: a.Name,
            targets: (a.Targets ?? []).map((t) => `${t.Key}=${(t.Values ?? []).join(',')}`),
            lastExecution: a.LastExecutionDate?.toISOString(),
          },
        }),
      );
    },
  },
];

/** Trails whose home is this region (a multi-region trail is listed once, at home). */
export const CLOUDTRAIL_LISTER: ListerDef = {
  id: 'cloudtrail.trails',
  service: 'cloudtrail',
  scope: 'regional',
  async list(ctx) {
    const ct = ctx.pool.get(CloudTrailClient, ctx.region);
    const described = await ctx.read('list', () =>
      ct.send(new DescribeTrailsCommand({ includeShadowTrails: false })),
    );
    const trails = (described?.trailList ?? []).filter((t) => (t.HomeRegion ?? ctx.region) === ctx.region);
    return Promise.all(
      trails.map(async (t) => {
        const Name = t.TrailARN ?? t.Name ?? '';
        const [status, selectors] = await Promise.all([
          ctx.read('status', () => ct.send(new GetTrailStatusCommand({ Name }))),
          ctx.read('selectors', () => ct.send(new GetEventSelectorsCommand({ TrailName: Name }))),
        ]);
        return item(ctx, {
          type: 'AWS::CloudTrail::Trail',
          id: t.Name ?? '',
          name: t.Name ?? '',
          arn: t.TrailARN,
          data: {
            multiRegion: t.IsMultiRegionTrail,
            organization: t.IsOrganizationTrail,
            bucket: t.S3BucketName,
            logFileValidation: t.LogFileValidationEnabled,
            logging: status === undefined ? undefined : (status?.IsLogging ?? null),
            eventSelectors: selectors === undefined ? undefined : (selectors?.EventSelectors ?? null),
            advancedEventSelectors:
              selectors === undefined ? undefined : (selectors?.AdvancedEventSelectors ?? null),
          },
        });
      }),
    );
  },
};

/** GuardDuty detectors with their suppression (auto-archive) filters and trusted IP lists. */
export const GUARDDUTY_LISTER: ListerDef = {
  id: 'guardduty.detectors',
  service: 'guardduty',
  scope: 'regional',
  async list(ctx) {
    const gd = ctx.pool.get(GuardDutyClient, ctx.region);
    const ids = await listPages(
      ctx,
      'list',
      (t) => gd.send(new ListDetectorsCommand({ NextToken: t })),
      (o) => [o.DetectorIds, o.NextToken],
    );
    const out: InventoryItem[] = [];
    for (const DetectorId of ids ?? []) {
      const [detector, filters, ipSets, intelSets] = await Promise.all([
        ctx.read('detector', () => gd.send(new GetDetectorCommand({ DetectorId }))),
        ctx.read('filters', () => gd.send(new ListFiltersCommand({ DetectorId }))),
        ctx.read('ip-sets', () => gd.send(new ListIPSetsCommand({ DetectorId }))),
        ctx.read('threat-intel-sets', () => gd.send(new ListThreatIntelSetsCommand({ DetectorId }))),
      ]);
      out.push(
        item(ctx, {
          type: 'AWS::GuardDuty::Detector',
          id: DetectorId,
          name: DetectorId,
          arn: `arn:aws:guardduty:${ctx.region}:${ctx.account}:detector/${DetectorId}`,
          createdAt: detector?.CreatedAt,
          data: { status: detector?.Status, updatedAt: detector?.UpdatedAt },
        }),
      );
      for (const FilterName of filters?.FilterNames ?? []) {
        const f = await ctx.read('filters', () => gd.send(new GetFilterCommand({ DetectorId, FilterName })));
        out.push(
          item(ctx, {
            type: 'AWS::GuardDuty::Filter',
            id: FilterName,
            name: FilterName,
            parent: { type: 'AWS::GuardDuty::Detector', id: DetectorId },
            data: { detectorId: DetectorId, action: f?.Action, criteria: f?.FindingCriteria?.Criterion },
          }),
        );
      }
      // Trusted IP lists and threat intel sets: a named list of addresses in S3 each.
      const list = (
        type: string,
        id: string,
        s: { Name?: string; Location?: string; Status?: string; Format?: string } | null | undefined,
      ) =>
        item(ctx, {
          type,
          id,
          name: s?.Name ?? id,
          parent: { type: 'AWS::GuardDuty::Detector', id: DetectorId },
          data: { detectorId: DetectorId, location: s?.Location, status: s?.Status, format: s?.Format },
        });
      for (const IpSetId of ipSets?.IpSetIds ?? [])
        out.push(
          list(
            'AWS::GuardDuty::IPSet',
            IpSetId,
            await ctx.read('ip-sets', () => gd.send(new GetIPSetCommand({ DetectorId, IpSetId }))),
          ),
        );
      for (const ThreatIntelSetId of intelSets?.ThreatIntelSetIds ?? [])
        out.push(
          list(
            'AWS::GuardDuty::ThreatIntelSet',
            ThreatIntelSetId,
            await ctx.read('threat-intel-sets', () =>
              gd.send(new GetThreatIntelSetCommand({ DetectorId, ThreatIntelSetId })),
            ),
          ),
        );
    }
    return out;
  },
};

/** EventBridge rules on the default bus with their targets, and the bus's policy. */
export const EVENTBRIDGE_LISTER: ListerDef = {
  id: 'events.rules',
  service: 'events',
  scope: 'regional',
  async list(ctx) {
    const eb = ctx.pool.get(EventBridgeClient, ctx.region);
    const rules = await listPages(
      ctx,
      'list',
      (t) => eb.send(new ListRulesCommand({ NextToken: t })),
      (o) => [o.Rules, o.NextToken],
    );
    const bus = await ctx.read('bus-policy', () => eb.send(new DescribeEventBusCommand({})));
    const out = await Promise.all(
      (rules ?? []).map(async (r) => {
        const targets = await ctx.read('targets', () =>
          eb.send(new ListTargetsByRuleCommand({ Rule: r.Name })),
        );
        return item(ctx, {
          type: 'AWS::Events::Rule',
          id: r.Name ?? '',
          name: r.Name ?? '',
          arn: r.Arn,
          data: {
            state: r.State,
            pattern: r.EventPattern,
            schedule: r.ScheduleExpression,
            targets:
              targets === undefined
                ? undefined
                : (targets?.Targets ?? []).map((t) => ({ id: t.Id, arn: t.Arn })),
          },
        });
      }),
    );
    if (bus?.Policy) {
      out.push(
        item(ctx, {
          type: 'AWS::Events::EventBus',
          id: bus.Name ?? 'default',
          name: bus.Name ?? 'default',
          arn: bus.Arn,
          data: { policy: parsePolicy(bus.Policy) },
        }),
      );
    }
    return out;
  },
};
