import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutPermissionCommand,
  RemovePermissionCommand,
  RemoveTargetsCommand,
  type DescribeRuleCommandOutput,
  type Target,
} from '@aws-sdk/client-eventbridge';
import {
  DeleteAssociationCommand,
  DeleteDocumentCommand,
  DescribeAssociationCommand,
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetDocumentCommand,
  ModifyDocumentPermissionCommand,
  SSMClient,
  type AssociationDescription,
  type DocumentDescription,
} from '@aws-sdk/client-ssm';
import { collectAll } from '../../aws/paginate.js';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { asJson, removal } from './declare.js';
import { restoreResourcePolicy } from './resource-policy.js';

const events = (pool: ClientPool, p: StepParams) => pool.get(EventBridgeClient, p.region);
const ssm = (pool: ClientPool, p: StepParams) => pool.get(SSMClient, p.region);

/** The answer of a read, or undefined when the service says the resource does not exist. */
async function unlessMissing<T>(read: () => Promise<T>, missing: RegExp): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (missing.test((error as { name?: string }).name ?? '')) return undefined;
    throw error;
  }
}

interface RuleRecord {
  rule: Omit<DescribeRuleCommandOutput, '$metadata'>;
  targets: Target[];
}

/** The bus a rule is on, when not the default one (`EventBusName` takes a name or an ARN). */
const bus = (p: StepParams) => (p.eventBusName ? { EventBusName: p.eventBusName } : {});

/**
 * Delete an EventBridge rule the attacker created, once the rule and its targets (where it sent
 * the account's events) are kept: its targets removed first, as EventBridge requires.
 */
export const deleteEventRule = removal<RuleRecord>({
  name: 'delete-event-rule',
  summary: 'keep the rule and its targets, remove the targets, then delete an EventBridge rule',
  irreversibleBecause: 'a deleted rule can be re-created from the kept description and targets',
  target: (p) => `${p.region ?? '?'}/${p.eventBusName ? `${p.eventBusName}/` : ''}${p.ruleName ?? '?'}`,
  async read(pool, p) {
    const client = events(pool, p);
    const described = await unlessMissing(
      () => client.send(new DescribeRuleCommand({ Name: p.ruleName, ...bus(p) })),
      /ResourceNotFound/,
    );
    if (!described) return undefined;
    const { $metadata: _m, ...rule } = described;
    const start: { NextToken?: string } = {};
    const targets = await collectAll({
      send: (i: { NextToken?: string }) =>
        client.send(new ListTargetsByRuleCommand({ Rule: p.ruleName, ...bus(p), NextToken: i.NextToken })),
      input: start,
      inputToken: 'NextToken',
      nextToken: (page) => page.NextToken,
      items: (page) => page.Targets,
    });
    return { state: { rule, targets } };
  },
  summarize: (r) => ({
    arn: r.rule.Arn,
    state: r.rule.State,
    pattern: r.rule.EventPattern,
    schedule: r.rule.ScheduleExpression,
    targets: r.targets.map((t) => t.Arn),
  }),
  describe: (r) =>
    `keep the rule and its ${r.targets.length} target(s)${r.targets.length ? ` (${r.targets.map((t) => t.Arn).join(', ')})` : ''}, remove them, delete the rule`,
  async preserve(_pool, p, r, context) {
    return {
      rule: await context.keep('rule.json', asJson(r.rule), `events:DescribeRule ${p.region}`),
      targets: await context.keep('targets.json', asJson(r.targets), `events:ListTargetsByRule ${p.region}`),
    };
  },
  async remove(pool, p, r) {
    const client = events(pool, p);
    // RemoveTargets takes at most 100 ids a call.
    for (let i = 0; i < r.targets.length; i += 100) {
      const ids = r.targets.slice(i, i + 100).map((t) => t.Id!);
      const out = await client.send(new RemoveTargetsCommand({ Rule: p.ruleName, ...bus(p), Ids: ids }));
      if (out.FailedEntryCount)
        throw new Error(
          `RemoveTargets on ${p.ruleName} failed for ${(out.FailedEntries ?? []).map((f) => `${f.TargetId}: ${f.ErrorMessage}`).join('; ')}`,
        );
    }
    await client.send(new DeleteRuleCommand({ Name: p.ruleName, ...bus(p) }));
    return { targetsRemoved: r.targets.length };
  },
});

/** The bus a permission is on: `default` unless named (a name or an ARN). */
const busName = (p: StepParams) => p.eventBusName ?? 'default';

/**
 * Put an event bus's policy back: the pre-attack one when known, else the current one without
 * the attacker's principals (PutPermission with the whole policy), or none at all.
 */
export const restoreEventBusPolicy = restoreResourcePolicy({
  name: 'restore-event-bus-policy',
  what: 'event bus',
  target: (p) => `${p.region ?? '?'}/${busName(p)}`,
  async read(pool, p) {
    const bus = await unlessMissing(
      () => events(pool, p).send(new DescribeEventBusCommand({ Name: busName(p) })),
      /ResourceNotFound/,
    );
    return bus === undefined ? undefined : (bus.Policy ?? null);
  },
  put: (pool, p, text) =>
    events(pool, p).send(new PutPermissionCommand({ EventBusName: busName(p), Policy: text })),
  remove: (pool, p) =>
    events(pool, p).send(
      new RemovePermissionCommand({ EventBusName: busName(p), RemoveAllPermissions: true }),
    ),
});

interface DocumentRecord {
  document: DocumentDescription;
  content: string;
  sharedWith: string[];
}

/**
 * Delete an SSM document the attacker created, once its content, description and sharing are
 * kept: the accounts it is shared with (or `all`) are removed first, so that no copy stays
 * reachable while the delete runs.
 */
export const deleteSsmDocument = removal<DocumentRecord>({
  name: 'delete-ssm-document',
  summary: 'keep the content, description and sharing, stop sharing, then delete an SSM document',
  irreversibleBecause: 'a deleted document can be re-created from the kept content',
  target: (p) => `${p.region ?? '?'}/${p.documentName ?? '?'}`,
  async read(pool, p) {
    const client = ssm(pool, p);
    const described = await unlessMissing(
      () => client.send(new DescribeDocumentCommand({ Name: p.documentName })),
      /InvalidDocument/,
    );
    if (!described?.Document) return undefined;
    const [content, perms] = await Promise.all([
      client.send(new GetDocumentCommand({ Name: p.documentName })),
      client.send(new DescribeDocumentPermissionCommand({ Name: p.documentName, PermissionType: 'Share' })),
    ]);
    return {
      state: {
        document: described.Document,
        content: content.Content ?? '',
        sharedWith: perms.AccountIds ?? [],
      },
      created: described.Document.CreatedDate?.toISOString(),
    };
  },
  summarize: (d) => ({
    type: d.document.DocumentType,
    hash: d.document.Hash,
    sharedWith: d.sharedWith,
  }),
  describe: (d) =>
    `keep the content and description${d.sharedWith.length ? `, stop sharing it with ${d.sharedWith.join(', ')}` : ''}, delete the document`,
  async preserve(_pool, p, d, context) {
    return {
      content: await context.keep(
        `content.${(d.document.DocumentFormat ?? 'JSON').toLowerCase()}`,
        d.content,
        `ssm:GetDocument ${p.region}`,
      ),
      document: await context.keep('document.json', asJson(d.document), `ssm:DescribeDocument ${p.region}`),
      permissions: await context.keep(
        'permissions.json',
        asJson({ sharedWith: d.sharedWith }),
        `ssm:DescribeDocumentPermission ${p.region}`,
      ),
    };
  },
  async remove(pool, p, d) {
    const client = ssm(pool, p);
    // ModifyDocumentPermission takes at most 20 accounts a call.
    for (let i = 0; i < d.sharedWith.length; i += 20)
      await client.send(
        new ModifyDocumentPermissionCommand({
          Name: p.documentName,
          PermissionType: 'Share',
          AccountIdsToRemove: d.sharedWith.slice(i, i + 20),
        }),
      );
    await client.send(new DeleteDocumentCommand({ Name: p.documentName }));
    return { unshared: d.sharedWith };
  },
});

/** Delete a State Manager association the attacker created, once its description is kept. */
export const deleteSsmAssociation = removal<AssociationDescription>({
  name: 'delete-ssm-association',
  summary: 'keep the association, then delete it (it runs a document on instances)',
  irreversibleBecause: 'a deleted association can be re-created from the kept description',
  target: (p) => `${p.region ?? '?'}/${p.associationId ?? '?'}`,
  async read(pool, p) {
    const out = await unlessMissing(
      () => ssm(pool, p).send(new DescribeAssociationCommand({ AssociationId: p.associationId })),
      /AssociationDoesNotExist/,
    );
    const a = out?.AssociationDescription;
    return a ? { state: a, created: a.Date?.toISOString() } : undefined;
  },
  summarize: (a) => ({ document: a.Name, targets: a.Targets, schedule: a.ScheduleExpression }),
  describe: (a) => `keep it, delete the association running ${a.Name ?? '?'}`,
  async preserve(_pool, p, a, context) {
    return {
      association: await context.keep('association.json', asJson(a), `ssm:DescribeAssociation ${p.region}`),
    };
  },
  async remove(pool, p) {
    await unlessMissing(
      () => ssm(pool, p).send(new DeleteAssociationCommand({ AssociationId: p.associationId })),
      /AssociationDoesNotExist/,
    );
  },
});
