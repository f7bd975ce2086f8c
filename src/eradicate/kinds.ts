import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { StepParams } from '../actions/action.js';
import { readSpotRequest } from '../actions/eradicate/ec2-launch.js';
import type { StepRequest } from '../actions/engine.js';
import { iamOf, readOrAbsent } from '../actions/iam-read.js';
import type { ClientPool } from '../aws/pool.js';
import { itemId, type EradicationItem } from './items.js';
import { S3_RANSOM_KINDS } from './kinds-s3.js';
import {
  attackerBusPrincipals,
  foreignPrincipals,
  priorEnvironment,
  priorInvocationLogging,
  priorSelectors,
  priorSmsAttributes,
  priorTrust,
} from './prior.js';

/** What a kind's rule may use while planning. */
export interface PlanContext {
  pool: ClientPool;
  ourAccount: string;
  /** When the attack began: anything AWS dates before it is never deleted. */
  attackStart: string | null;
  /** Every item to act on, by id (a child item is covered by its parent's removal). */
  items: ReadonlyMap<string, EradicationItem>;
  /** Event ids of the attacker's calls (a prior document is never one of theirs). */
  attackerEvents: Set<string>;
}

/** How one kind of item is eradicated: a step, a parent whose removal covers it, or a manual line. */
export interface KindRule {
  /** The id of an item whose removal takes this one with it. */
  coveredBy?: (item: EradicationItem) => string;
  steps?: (item: EradicationItem, ctx: PlanContext) => Promise<StepRequest[]> | StepRequest[];
  /** No automation: what a person does (kinds the tool cannot act on yet say so). */
  manual?: (item: EradicationItem) => string;
  /** Ended by containment, not by eradication (sessions cannot be deleted, only refused). */
  containment?: (item: EradicationItem) => string;
}

const step = (action: string, item: EradicationItem, params: StepParams): StepRequest[] => [
  { action, account: item.account, params },
];
const created = (ctx: PlanContext): StepParams => (ctx.attackStart ? { createdAfter: ctx.attackStart } : {});
const userOf = (item: EradicationItem) =>
  itemId('iam-user', 'global', item.owner?.replace(/^user\//, '') ?? '');
const principal = (item: EradicationItem) => {
  const [type = '', name = ''] = (item.owner ?? '').split('/', 2);
  return {
    type,
    name,
    parent:
      type === 'user'
        ? itemId('iam-user', 'global', name)
        : type === 'role'
          ? itemId('role', 'global', name)
          : '',
  };
};
const regional = (kind: string, item: EradicationItem, name: string) => itemId(kind, item.region, name);
const attackerProviders = (ctx: PlanContext) =>
  [...ctx.items.values()]
    .filter((i) => i.kind === 'oidc-provider' || i.kind === 'saml-provider')
    .map((i) => i.name);

async function currentPolicy(read: () => Promise<string | null | undefined>): Promise<string | undefined> {
  const text = await readOrAbsent(read);
  return text ?? undefined;
}

/** Remove only the attacker's principals from a resource policy, as a parameter. */
function removeFrom(text: string | undefined, ctx: PlanContext): StepParams {
  return {
    removePrincipals: text ? foreignPrincipals(text, ctx.ourAccount, attackerProviders(ctx)).join(',') : '',
  };
}

/**
 * The environment variables to take off a function: named by the item, else every variable that
 * differs from the environment before the attack (an UpdateFunctionConfiguration replaces the
 * whole map). Unknown prior environment: the step says so and is refused at plan time.
 */
async function environmentSteps(i: EradicationItem, ctx: PlanContext): Promise<StepRequest[]> {
  const at = { region: i.region, functionName: i.name };
  if (i.details?.names)
    return step('restore-function-environment', i, {
      ...at,
      names: i.details.names,
      ...(i.details.prior ? { prior: i.details.prior } : {}),
    });
  const prior = await priorEnvironment(ctx.pool, i.region, i.name, i.firstSeen ?? '9999', ctx.attackerEvents);
  if (!prior) return step('restore-function-environment', i, at);
  const config = await readOrAbsent(() =>
    ctx.pool.get(LambdaClient, i.region).send(new GetFunctionConfigurationCommand({ FunctionName: i.name })),
  );
  const now = config?.Environment?.Variables ?? {};
  const names = [...new Set([...Object.keys(now), ...Object.keys(prior)])].filter((n) => now[n] !== prior[n]);
  const back = Object.fromEntries(names.filter((n) => n in prior).map((n) => [n, prior[n]]));
  return step('restore-function-environment', i, {
    ...at,
    names: names.join(','),
    ...(Object.keys(back).length ? { prior: JSON.stringify(back) } : {}),
  });
}

const manualKinds: Record<string, string> = {
  'trail-deleted': 'trail the attacker deleted (re-create it, with its bucket and selectors):',
  // On an instance that stays: restoring it needs the instance stopped and the prior user data,
  // which CloudTrail does not record (an attacker's own instance keeps it in its evidence).
  'user-data': 'user data the attacker put on instance',
  'guardduty-suppression': 'GuardDuty suppression rule or trusted IP list the attacker added:',
  'logging-change': 'logging change the attacker made:',
};

/** The spot request's cancellation, then its instance's termination (snapshots first). */
async function spotSteps(i: EradicationItem, ctx: PlanContext): Promise<StepRequest[]> {
  const at = { region: i.region, ...created(ctx) };
  const request = await readSpotRequest(ctx.pool, { region: i.region, spotInstanceRequestId: i.name });
  return [
    ...step('cancel-spot-request', i, { ...at, spotInstanceRequestId: i.name }),
    ...(request?.InstanceId ? step('terminate-instance', i, { ...at, instanceId: request.InstanceId }) : []),
  ];
}

/**
 * Every kind of item the scope contract names, and how each is handled: removals for what the
 * attacker created, restorations for what it changed on resources that stay, and the items
 * whose parent's removal takes them along.
 */
export const KINDS: Record<string, KindRule> = {
  'iam-user': { steps: (i, ctx) => step('delete-iam-user', i, { userName: i.name, ...created(ctx) }) },
  'group-membership': {
    // A user the attacker made leaves its groups when it is deleted; a user that stays is taken out.
    coveredBy: userOf,
    steps: (i) =>
      step('remove-user-from-group', i, {
        userName: (i.owner ?? '').replace(/^user\//, ''),
        groupName: i.name,
      }),
  },
  'access-key': {
    coveredBy: userOf,
    steps: (i, ctx) =>
      step('delete-access-key', i, { userName: i.owner ?? '', accessKeyId: i.name, ...created(ctx) }),
  },
  'login-profile': {
    coveredBy: (i) => itemId('iam-user', 'global', i.name),
    // The owner chooses a new one: `recover` resets it for the case's own user.
    steps: (i) => step('delete-login-profile', i, { userName: i.name }),
  },
  'mfa-device': {
    coveredBy: userOf,
    steps: (i) =>
      step('delete-mfa-device', i, { serialNumber: i.name, ...(i.owner ? { userName: i.owner } : {}) }),
  },
  'ssh-key': {
    coveredBy: userOf,
    steps: (i) => step('delete-ssh-public-key', i, { userName: i.owner ?? '', id: i.name }),
  },
  'signing-certificate': {
    coveredBy: userOf,
    steps: (i) => step('delete-signing-certificate', i, { userName: i.owner ?? '', id: i.name }),
  },
  'service-credential': {
    coveredBy: userOf,
    steps: (i) => step('delete-service-credential', i, { userName: i.owner ?? '', id: i.name }),
  },
  'inline-policy': {
    coveredBy: (i) => principal(i).parent,
    steps: (i) => {
      const p = principal(i);
      return step('delete-inline-policy', i, {
        principalType: p.type,
        principalName: p.name,
        policyName: i.name,
      });
    },
  },
  'policy-attachment': {
    coveredBy: (i) => principal(i).parent,
    steps: (i) => {
      const p = principal(i);
      return step('detach-policy', i, { principalType: p.type, principalName: p.name, policyArn: i.name });
    },
  },
  'managed-policy': {
    steps: (i, ctx) => step('delete-managed-policy', i, { policyArn: i.name, ...created(ctx) }),
  },
  'policy-version': {
    coveredBy: (i) => itemId('managed-policy', 'global', i.name),
    steps: (i) =>
      step('restore-policy-version', i, { policyArn: i.name, versionId: i.details?.versionId ?? '' }),
  },
  role: { steps: (i, ctx) => step('delete-role', i, { roleName: i.name, ...created(ctx) }) },
  'role-trust': {
    coveredBy: (i) => itemId('role', 'global', i.name),
    async steps(i, ctx) {
      const prior = await priorTrust(ctx.pool, i.name, i.firstSeen ?? '9999', ctx.attackerEvents);
      if (prior !== undefined)
        return step('restore-role-trust', i, { roleName: i.name, priorDocument: prior });
      const role = await readOrAbsent(() => iamOf(ctx.pool).send(new GetRoleCommand({ RoleName: i.name })));
      const text = role?.Role?.AssumeRolePolicyDocument;
      const doc =
        text === undefined ? undefined : text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
      return step('restore-role-trust', i, { roleName: i.name, ...removeFrom(doc, ctx) });
    },
  },
  'oidc-provider': { steps: (i, ctx) => step('delete-oidc-provider', i, { arn: i.name, ...created(ctx) }) },
  'saml-provider': { steps: (i, ctx) => step('delete-saml-provider', i, { arn: i.name, ...created(ctx) }) },
  'key-pair': {
    steps: (i, ctx) => step('delete-key-pair', i, { region: i.region, keyName: i.name, ...created(ctx) }),
  },
  instance: {
    steps: (i, ctx) =>
      step('terminate-instance', i, { region: i.region, instanceId: i.name, ...created(ctx) }),
  },
  'launch-template': {
    steps: (i, ctx) =>
      step('delete-launch-template', i, { region: i.region, launchTemplateId: i.name, ...created(ctx) }),
  },
  'spot-request': { steps: spotSteps },
  'security-group': { steps: (i) => step('delete-security-group', i, { region: i.region, groupId: i.name }) },
  'security-group-rule': {
    coveredBy: (i) => regional('security-group', i, i.owner ?? ''),
    steps: (i) =>
      step('revoke-ingress', i, {
        region: i.region,
        groupId: i.owner ?? '',
        protocol: i.details?.protocol ?? 'tcp',
        port: i.details?.port ?? '0',
        cidr: i.details?.cidr ?? '',
      }),
  },
  'snapshot-share': {
    steps: (i) =>
      step('unshare-snapshot', i, {
        region: i.region,
        snapshotId: i.name,
        accounts: i.details?.accounts ?? '',
      }),
  },
  'rds-snapshot-share': {
    steps: (i) =>
      step('unshare-rds-snapshot', i, {
        region: i.region,
        snapshotId: i.name,
        accounts: i.details?.accounts ?? '',
      }),
  },
  'rds-snapshot': {
    steps: (i, ctx) =>
      step('delete-rds-snapshot', i, { region: i.region, snapshotId: i.name, ...created(ctx) }),
  },
  'kms-key': {
    steps: (i, ctx) =>
      step('schedule-kms-key-deletion', i, { region: i.region, keyId: i.name, ...created(ctx) }),
  },
  // An export wrote the data outside the account: nothing here undoes it; the plan names where it went.
  'rds-export': {
    manual: (i) =>
      `The RDS export ${i.name} (${i.region}) wrote ${i.details?.source ?? 'a snapshot'} to s3://${i.details?.bucket ?? '?'}/${i.details?.prefix ?? ''}: the data left the account; ask that bucket's owner (or AWS, for a bucket of another account) to delete it, and treat the database as disclosed.`,
  },
  'ami-share': {
    steps: (i) =>
      step('unshare-image', i, { region: i.region, imageId: i.name, accounts: i.details?.accounts ?? '' }),
  },
  bucket: { steps: (i) => step('delete-bucket', i, { bucket: i.name }) },
  'bucket-policy': {
    coveredBy: (i) => regional('bucket', i, i.name),
    async steps(i, ctx) {
      const text = await currentPolicy(
        async () =>
          (await ctx.pool.get(S3Client, i.region).send(new GetBucketPolicyCommand({ Bucket: i.name })))
            .Policy,
      );
      return step('restore-bucket-policy', i, { bucket: i.name, ...removeFrom(text, ctx) });
    },
  },
  'bucket-acl': {
    coveredBy: (i) => regional('bucket', i, i.name),
    steps: (i) => step('restore-bucket-acl', i, { bucket: i.name }),
  },
  'lambda-function': { steps: (i) => step('delete-function', i, { region: i.region, functionName: i.name }) },
  'lambda-url': {
    coveredBy: (i) => regional('lambda-function', i, i.name),
    steps: (i) => step('delete-function-url', i, { region: i.region, functionName: i.name }),
  },
  'lambda-permission': {
    coveredBy: (i) => regional('lambda-function', i, i.owner ?? ''),
    steps: (i) =>
      step('remove-function-permission', i, {
        region: i.region,
        functionName: i.owner ?? '',
        statementId: i.name,
      }),
  },
  stack: {
    steps: (i, ctx) => step('delete-stack', i, { region: i.region, stackName: i.name, ...created(ctx) }),
  },
  stackset: { steps: (i) => step('delete-stack-set', i, { region: i.region, stackSetName: i.name }) },
  'lambda-layer': {
    steps(i, ctx) {
      // Scope may name the layer by a version's ARN (…:layer:NAME:VERSION), the calls by its name.
      const m = /:layer:([^:]+)(?::(\d+))?$/.exec(i.name);
      const versions = i.details?.versions ?? m?.[2];
      return step('delete-layer-versions', i, {
        region: i.region,
        layerName: m?.[1] ?? i.name,
        ...(versions ? { versions } : {}),
        ...created(ctx),
      });
    },
  },
  'lambda-env': {
    coveredBy: (i) => regional('lambda-function', i, i.name),
    steps: environmentSteps,
  },
  'eventbridge-rule': {
    steps: (i) =>
      step('delete-event-rule', i, {
        region: i.region,
        ruleName: i.name,
        ...(i.details?.eventBusName && i.details.eventBusName !== 'default'
          ? { eventBusName: i.details.eventBusName }
          : {}),
      }),
  },
  'event-bus-policy': {
    async steps(i, ctx) {
      const bus = { region: i.region, ...(i.name !== 'default' ? { eventBusName: i.name } : {}) };
      const text = await currentPolicy(
        async () =>
          (
            await ctx.pool
              .get(EventBridgeClient, i.region)
              .send(new DescribeEventBusCommand({ Name: i.name }))
          ).Policy,
      );
      // The attacker's own statements when its calls name them, else every foreign principal.
      const theirs = await attackerBusPrincipals(ctx.pool, i.region, i.name, ctx.attackerEvents);
      return step('restore-event-bus-policy', i, {
        ...bus,
        ...(theirs.length ? { removePrincipals: theirs.join(',') } : removeFrom(text, ctx)),
      });
    },
  },
  'ssm-document': {
    steps: (i, ctx) =>
      step('delete-ssm-document', i, { region: i.region, documentName: i.name, ...created(ctx) }),
  },
  'ssm-association': {
    steps: (i, ctx) =>
      step('delete-ssm-association', i, { region: i.region, associationId: i.name, ...created(ctx) }),
  },
  'trail-logging': { steps: (i) => step('start-logging', i, { region: i.region, trailName: i.name }) },
  'event-selectors': {
    async steps(i, ctx) {
      const prior = await priorSelectors(
        ctx.pool,
        i.region,
        i.name,
        i.firstSeen ?? '9999',
        ctx.attackerEvents,
      );
      return step('restore-event-selectors', i, {
        region: i.region,
        trailName: i.name,
        ...(prior ? { priorSelectors: prior } : {}),
      });
    },
  },
  'guardduty-detector': { steps: (i) => step('restore-detector', i, { region: i.region }) },
  'guardduty-filter': {
    steps: (i) => step('delete-guardduty-filter', i, { region: i.region, filterName: i.name }),
  },
  'guardduty-ip-set': {
    steps: (i) => step('delete-guardduty-ip-set', i, { region: i.region, ipSetId: i.name }),
  },
  'guardduty-threat-intel-set': {
    steps: (i) =>
      step('delete-guardduty-threat-intel-set', i, { region: i.region, threatIntelSetId: i.name }),
  },
  'bedrock-invocation-logging': {
    async steps(i, ctx) {
      const prior = await priorInvocationLogging(
        ctx.pool,
        i.region,
        i.firstSeen ?? '9999',
        ctx.attackerEvents,
      );
      return step('restore-bedrock-logging', i, {
        region: i.region,
        ...(prior ? { priorConfig: prior } : {}),
      });
    },
  },
  'ses-identity': {
    steps: (i) => step('delete-ses-identity', i, { region: i.region, identity: i.name }),
  },
  'sms-attributes': {
    async steps(i, ctx) {
      const names = (i.details?.names ?? '').split(',').filter(Boolean);
      const prior = await priorSmsAttributes(
        ctx.pool,
        i.region,
        i.firstSeen ?? '9999',
        ctx.attackerEvents,
        names,
      );
      return step('restore-sms-attributes', i, { region: i.region, prior: JSON.stringify(prior) });
    },
  },
  ...S3_RANSOM_KINDS,
  'secret-policy': {
    async steps(i, ctx) {
      const text = await currentPolicy(
        async () =>
          (
            await ctx.pool
              .get(SecretsManagerClient, i.region)
              .send(new GetResourcePolicyCommand({ SecretId: i.name }))
          ).ResourcePolicy,
      );
      return step('restore-secret-policy', i, {
        region: i.region,
        secretId: i.name,
        ...removeFrom(text, ctx),
      });
    },
  },
  ...Object.fromEntries(
    Object.entries(manualKinds).map(([kind, what]) => [
      kind,
      {
        manual: (i: EradicationItem) =>
          `Remove by hand the ${what} ${i.name} (${i.region}); Tourniquet does not act on it yet.`,
      },
    ]),
  ),
  volume: {
    // Terminating the instance it is attached to takes it (its snapshot is the evidence).
    coveredBy: (i) => (i.details?.instance ? itemId('instance', i.region, i.details.instance) : ''),
    manual: (i) =>
      `Remove by hand the EBS volume ${i.name} (${i.region}) the attacker created, after a snapshot of it.`,
  },
  resource: {
    manual: (i) =>
      `Remove by hand the ${i.details?.type ?? 'resource'} ${i.name} (${i.region}) the attacker created; Tourniquet does not act on it yet.`,
  },
  'role-session': { containment: (i) => `Session ${i.name}` },
  'session-token': { containment: (i) => `Session token ${i.name}` },
  'federation-token': { containment: (i) => `Federation token ${i.name}` },
};
