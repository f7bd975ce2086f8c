import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CloudTrailClient,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  type EventSelector,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateDetectorCommand,
  GetDetectorCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty';
import {
  DeleteResourcePolicyCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, removal, restoration } from './declare.js';
import { restoreResourcePolicy } from './resource-policy.js';

const cfn = (pool: ClientPool, p: StepParams) => pool.get(CloudFormationClient, p.region);

/** DescribeStacks answers a missing stack with ValidationError "… does not exist", not a 404. */
async function readStack(pool: ClientPool, p: StepParams): Promise<Stack | undefined> {
  try {
    return (await cfn(pool, p).send(new DescribeStacksCommand({ StackName: p.stackName }))).Stacks?.[0];
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
    throw error;
  }
}

/** Delete a stack the attacker created, once its template, parameters and resources are kept. */
export const deleteStack = removal<Stack>({
  name: 'delete-stack',
  summary: 'keep the template, parameters and resource list, then delete a stack the attacker created',
  irreversibleBecause: 'a deleted stack and its resources are gone; the template is in the evidence',
  target: (p) => `${p.region ?? '?'}/${p.stackName ?? '?'}`,
  async read(pool, p) {
    const stack = await readStack(pool, p);
    if (!stack) return undefined;
    const status = stack.StackStatus ?? '';
    return {
      state: stack,
      created: stack.CreationTime?.toISOString(),
      gone: status.startsWith('DELETE_') && status !== 'DELETE_FAILED',
    };
  },
  summarize: (s) => ({ stackId: s.StackId, status: s.StackStatus, created: s.CreationTime?.toISOString() }),
  describe: (s) =>
    `keep the template and resource list, delete ${s.StackName ?? '?'} (${s.StackStatus ?? '?'})`,
  async preserve(pool, p, s, context) {
    const client = cfn(pool, p);
    const template = await client.send(
      new GetTemplateCommand({ StackName: p.stackName, TemplateStage: 'Original' }),
    );
    const resources = await client.send(new DescribeStackResourcesCommand({ StackName: p.stackName }));
    return {
      template: await context.keep(
        'template',
        template.TemplateBody ?? '',
        `cloudformation:GetTemplate ${p.region}`,
      ),
      stack: await context.keep('stack.json', asJson(s), `cloudformation:DescribeStacks ${p.region}`),
      resources: await context.keep(
        'resources.json',
        asJson(resources.StackResources ?? []),
        `cloudformation:DescribeStackResources ${p.region}`,
      ),
    };
  },
  async remove(pool, p, s) {
    await cfn(pool, p).send(new DeleteStackCommand({ StackName: s.StackId ?? p.stackName }));
  },
});

const trail = (pool: ClientPool, p: StepParams) => pool.get(CloudTrailClient, p.region);

/**
 * Turn a trail's logging back on after the attacker stopped it. There is no undo: Tourniquet
 * never stops logging.
 */
export const startLogging = restoration<{ isLogging: boolean }>({
  name: 'start-logging',
  summary: 'turn logging back on for a trail the attacker stopped',
  irreversibleBecause: 'Tourniquet never stops a trail',
  target: (p) => `${p.region ?? '?'}/${p.trailName ?? '?'}`,
  async read(pool, p) {
    const status = await readOrAbsent(() =>
      trail(pool, p).send(new GetTrailStatusCommand({ Name: p.trailName })),
    );
    return status && { isLogging: status.IsLogging ?? false };
  },
  restored: (s) => s.isLogging,
  describe: () => 'start logging',
  evidence: (s) => [{ file: 'trail-status.json', content: asJson(s) }],
  async write(pool, p) {
    await trail(pool, p).send(new StartLoggingCommand({ Name: p.trailName }));
    return { logging: true };
  },
});

function normalizeSelectors(selectors: EventSelector[]): string {
  return JSON.stringify(
    selectors.map((s) => ({
      ReadWriteType: s.ReadWriteType ?? 'All',
      IncludeManagementEvents: s.IncludeManagementEvents ?? true,
      DataResources: (s.DataResources ?? []).map((d) => ({
        Type: d.Type,
        Values: [...(d.Values ?? [])].sort(),
      })),
      ExcludeManagementEventSources: [...(s.ExcludeManagementEventSources ?? [])].sort(),
    })),
  );
}

/** Put back a trail's event selectors the attacker narrowed (the prior ones, as the case saw them). */
export const restoreEventSelectors = restoration<{ selectors: EventSelector[] }>({
  name: 'restore-event-selectors',
  summary: 'keep the current event selectors, then put back the ones the trail had before the attack',
  target: (p) => `${p.region ?? '?'}/${p.trailName ?? '?'}`,
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      trail(pool, p).send(new GetEventSelectorsCommand({ TrailName: p.trailName })),
    );
    return out && { selectors: out.EventSelectors ?? [] };
  },
  restored: (s, p) =>
    p.priorSelectors !== undefined &&
    normalizeSelectors(s.selectors) === normalizeSelectors(JSON.parse(p.priorSelectors) as EventSelector[]),
  describe: (_s, p) =>
    p.priorSelectors === undefined
      ? 'cannot: the selectors before the attack are not known (no earlier PutEventSelectors or CreateTrail in the case)'
      : 'keep the current selectors, put back the pre-attack ones',
  evidence: (s) => [{ file: 'event-selectors.json', content: asJson(s.selectors) }],
  async write(pool, p) {
    await trail(pool, p).send(
      new PutEventSelectorsCommand({
        TrailName: p.trailName,
        EventSelectors: JSON.parse(p.priorSelectors!) as EventSelector[],
      }),
    );
    return { restored: 'prior selectors' };
  },
  async undo(pool, step, before) {
    await trail(pool, step.params).send(
      new PutEventSelectorsCommand({ TrailName: step.params.trailName, EventSelectors: before.selectors }),
    );
    return { restored: 'the selectors as they were before this step' };
  },
});

interface DetectorState {
  detectorId: string | null;
  status: string | null;
}

const gd = (pool: ClientPool, p: StepParams) => pool.get(GuardDutyClient, p.region);

/**
 * GuardDuty on again in a region where the attacker deleted or disabled the detector (a deleted
 * detector's findings are gone with it; a new one starts from now).
 */
export const restoreDetector = restoration<DetectorState>({
  name: 'restore-detector',
  summary: 'create or re-enable the GuardDuty detector the attacker deleted or disabled',
  irreversibleBecause: 'Tourniquet never turns GuardDuty off',
  target: (p) => `${p.region ?? '?'}/guardduty`,
  async read(pool, p) {
    const client = gd(pool, p);
    const id = (await client.send(new ListDetectorsCommand({}))).DetectorIds?.[0];
    if (!id) return { detectorId: null, status: null };
    const detector = await client.send(new GetDetectorCommand({ DetectorId: id }));
    return { detectorId: id, status: detector.Status ?? null };
  },
  restored: (s) => s.status === 'ENABLED',
  describe: (s) =>
    s.detectorId
      ? `enable detector ${s.detectorId} (${s.status ?? '?'})`
      : 'create a detector (the attacker deleted it)',
  evidence: (s) => [{ file: 'detector.json', content: asJson(s) }],
  async write(pool, p, s) {
    const client = gd(pool, p);
    if (s.detectorId) {
      await client.send(new UpdateDetectorCommand({ DetectorId: s.detectorId, Enable: true }));
      return { enabled: s.detectorId };
    }
    const made = await client.send(new CreateDetectorCommand({ Enable: true }));
    return { created: made.DetectorId };
  },
});

const secrets = (pool: ClientPool, p: StepParams) => pool.get(SecretsManagerClient, p.region);

/** Put back a secret's resource policy the attacker opened (or delete one the attacker added). */
export const restoreSecretPolicy = restoreResourcePolicy({
  name: 'restore-secret-policy',
  what: 'secret',
  target: (p) => `${p.region ?? '?'}/${p.secretId ?? '?'}`,
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      secrets(pool, p).send(new GetResourcePolicyCommand({ SecretId: p.secretId })),
    );
    return out === undefined ? undefined : (out.ResourcePolicy ?? null);
  },
  put: (pool, p, text) =>
    secrets(pool, p).send(new PutResourcePolicyCommand({ SecretId: p.secretId, ResourcePolicy: text })),
  remove: (pool, p) => secrets(pool, p).send(new DeleteResourcePolicyCommand({ SecretId: p.secretId })),
});
