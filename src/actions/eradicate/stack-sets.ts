import {
  CloudFormationClient,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  DescribeStackSetCommand,
  ListStackInstancesCommand,
  type StackInstanceSummary,
  type StackSet,
} from '@aws-sdk/client-cloudformation';
import { collectAll } from '../../aws/paginate.js';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { asJson, removal, waitWith } from './declare.js';

const cfn = (pool: ClientPool, p: StepParams) => pool.get(CloudFormationClient, p.region);

interface StackSetRecord {
  stackSet: StackSet;
  instances: StackInstanceSummary[];
}

async function instancesOf(pool: ClientPool, p: StepParams): Promise<StackInstanceSummary[]> {
  const start: { NextToken?: string } = {};
  return collectAll({
    send: (i: { NextToken?: string }) =>
      cfn(pool, p).send(
        new ListStackInstancesCommand({ StackSetName: p.stackSetName, NextToken: i.NextToken }),
      ),
    input: start,
    inputToken: 'NextToken',
    nextToken: (page) => page.NextToken,
    items: (page) => page.Summaries,
  });
}

/** The instances of one region, by account: DeleteStackInstances deletes accounts × regions. */
function byRegion(instances: StackInstanceSummary[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of instances) {
    if (!i.Region || !i.Account) continue;
    out.set(i.Region, [...(out.get(i.Region) ?? []), i.Account]);
  }
  return out;
}

/**
 * Delete a StackSet the attacker created, once its template and instance list are kept: every
 * stack instance deleted with its stack (RetainStacks false: what it deployed goes too), a
 * bounded wait for CloudFormation's asynchronous operations, then the StackSet.
 */
export const deleteStackSet = removal<StackSetRecord>({
  name: 'delete-stack-set',
  summary: 'keep the template and instance list, delete every stack instance, then the StackSet',
  irreversibleBecause:
    'the stacks it deployed are deleted with their resources; the template is in the evidence',
  target: (p) => `${p.region ?? '?'}/${p.stackSetName ?? '?'}`,
  async read(pool, p) {
    let stackSet: StackSet | undefined;
    try {
      stackSet = (await cfn(pool, p).send(new DescribeStackSetCommand({ StackSetName: p.stackSetName })))
        .StackSet;
    } catch (error) {
      if ((error as { name?: string }).name === 'StackSetNotFoundException') return undefined;
      throw error;
    }
    if (!stackSet || stackSet.Status === 'DELETED') return undefined;
    return { state: { stackSet, instances: await instancesOf(pool, p) } };
  },
  summarize: (s) => ({
    stackSetId: s.stackSet.StackSetId,
    permissionModel: s.stackSet.PermissionModel,
    instances: s.instances.map((i) => `${i.Account ?? '?'}/${i.Region ?? '?'}`),
  }),
  describe: (s) =>
    `keep the template and instance list, delete ${s.instances.length} stack instance(s)${s.instances.length ? ` (${s.instances.map((i) => `${i.Account ?? '?'} in ${i.Region ?? '?'}`).join(', ')})` : ''}, delete the StackSet`,
  async preserve(_pool, p, s, context) {
    return {
      template: await context.keep(
        'template',
        s.stackSet.TemplateBody ?? '',
        `cloudformation:DescribeStackSet TemplateBody ${p.region}`,
      ),
      stackSet: await context.keep(
        'stack-set.json',
        asJson(s.stackSet),
        `cloudformation:DescribeStackSet ${p.region}`,
      ),
      instances: await context.keep(
        'instances.json',
        asJson(s.instances),
        `cloudformation:ListStackInstances ${p.region}`,
      ),
    };
  },
  async remove(pool, p, s, context) {
    const client = cfn(pool, p);
    const operations: string[] = [];
    for (const [region, accounts] of byRegion(s.instances)) {
      const out = await client.send(
        new DeleteStackInstancesCommand({
          StackSetName: p.stackSetName,
          Accounts: [...new Set(accounts)],
          Regions: [region],
          RetainStacks: false,
        }),
      );
      if (out.OperationId) operations.push(out.OperationId);
    }
    // StackSet operations run asynchronously: the StackSet can go only once it has no instance.
    const { settled } = await waitWith(
      context,
      () => instancesOf(pool, p),
      (left) => left.length === 0,
    );
    if (!settled)
      throw new Error(
        `stack instances of ${p.stackSetName ?? '?'} are still being deleted; the StackSet stays until they are (run the apply again)`,
      );
    await client.send(new DeleteStackSetCommand({ StackSetName: p.stackSetName }));
    return { operations, instancesDeleted: s.instances.length };
  },
});
