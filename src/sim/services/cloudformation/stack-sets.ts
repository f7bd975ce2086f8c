import { SimError } from '../../core/errors.js';
import type { QueryParams } from '../../core/params.js';
import type { OpContext, OperationDef } from '../../core/service.js';
import { parseTemplate } from './template.js';

/** Where a StackSet deployed its template: one account in one region. */
interface StackInstance {
  account: string;
  region: string;
  stackId: string;
  operationId: string;
}

/** A StackSet as CloudFormation keeps it (deleted ones stay listed with status DELETED). */
interface StackSet {
  name: string;
  id: string;
  arn: string;
  status: 'ACTIVE' | 'DELETED';
  description?: string | undefined;
  templateBody: string;
  parameters: { ParameterKey: string; ParameterValue: string }[];
  capabilities: string[];
  tags: { Key: string; Value: string }[];
  permissionModel: string;
  administrationRoleArn?: string | undefined;
  executionRoleName?: string | undefined;
  instances: StackInstance[];
}

/** The StackSets slice of CloudFormation's per-account state, per region (absent in older saved states). */
export interface StackSetState {
  stackSets?: Record<string, StackSet[]>;
}

type Ctx = OpContext<StackSetState>;

function setsOf(ctx: Ctx): StackSet[] {
  return ((ctx.state.stackSets ??= {})[ctx.region] ??= []);
}

function notFound(name: string): SimError {
  return new SimError('StackSetNotFoundException', `StackSet ${name} not found`, 404);
}

/** The live StackSet named by `StackSetName` (its name or its id). */
function liveSet(ctx: Ctx): StackSet {
  const name = ctx.params.require('StackSetName');
  const s = setsOf(ctx).find((x) => (x.name === name || x.id === name) && x.status === 'ACTIVE');
  if (!s) throw notFound(name);
  return s;
}

/** Accounts from `Accounts` or `DeploymentTargets.Accounts` (SELF_MANAGED deployments). */
function accountsOf(params: QueryParams): string[] {
  const direct = params.list('Accounts');
  const targets = params.struct('DeploymentTargets')?.list('Accounts') ?? [];
  const all = [...direct, ...targets];
  for (const a of all)
    if (!/^\d{12}$/.test(a))
      throw new SimError('ValidationError', `Account ${a} is not a valid 12-digit account id`, 400);
  if (all.length === 0)
    throw new SimError('ValidationError', 'Accounts or DeploymentTargets must be specified', 400);
  return all;
}

function summary(s: StackSet) {
  return {
    StackSetName: s.name,
    StackSetId: s.id,
    Description: s.description,
    Status: s.status,
    PermissionModel: s.permissionModel,
    DriftStatus: 'NOT_CHECKED',
    ManagedExecution: { Active: false },
  };
}

/**
 * StackSets (CreateStackSet, DescribeStackSet, ListStackSets, Create/List/DeleteStackInstances,
 * DeleteStackSet). Instances are recorded with status CURRENT; the template is not deployed into
 * the target accounts (the simulated account does not act in other accounts on the set's behalf).
 */
export const stackSetOps: Record<string, OperationDef<StackSetState>> = {
  CreateStackSet: {
    handler(ctx) {
      const name = ctx.params.require('StackSetName');
      if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name))
        throw new SimError(
          'ValidationError',
          `1 validation error detected: Value '${name}' at 'stackSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
          400,
        );
      if (setsOf(ctx).some((s) => s.name === name && s.status === 'ACTIVE'))
        throw new SimError('NameAlreadyExistsException', `StackSet ${name} already exists`, 409);
      const body = ctx.params.require('TemplateBody');
      parseTemplate(body);
      const id = `${name}:${ctx.sim.ids.uuid()}`;
      const account = ctx.caller.accountId;
      setsOf(ctx).push({
        name,
        id,
        arn: `arn:aws:cloudformation:${ctx.region}:${account}:stackset/${id}`,
        status: 'ACTIVE',
        description: ctx.params.get('Description'),
        templateBody: body,
        parameters: ctx.params.structs('Parameters').map((p) => ({
          ParameterKey: p.require('ParameterKey'),
          ParameterValue: p.get('ParameterValue') ?? '',
        })),
        capabilities: ctx.params.list('Capabilities'),
        tags: ctx.params.structs('Tags').map((t) => ({ Key: t.require('Key'), Value: t.get('Value') ?? '' })),
        permissionModel: ctx.params.get('PermissionModel') ?? 'SELF_MANAGED',
        administrationRoleArn:
          ctx.params.get('AdministrationRoleARN') ??
          `arn:aws:iam::${account}:role/AWSCloudFormationStackSetAdministrationRole`,
        executionRoleName: ctx.params.get('ExecutionRoleName') ?? 'AWSCloudFormationStackSetExecutionRole',
        instances: [],
      });
      return { StackSetId: id };
    },
  },
  DescribeStackSet: {
    handler(ctx) {
      const s = liveSet(ctx);
      return {
        StackSet: {
          ...summary(s),
          TemplateBody: s.templateBody,
          Parameters: s.parameters,
          Capabilities: s.capabilities,
          Tags: s.tags,
          StackSetARN: s.arn,
          AdministrationRoleARN: s.administrationRoleArn,
          ExecutionRoleName: s.executionRoleName,
          Regions: [...new Set(s.instances.map((i) => i.region))],
        },
      };
    },
  },
  ListStackSets: {
    handler(ctx) {
      const status = ctx.params.get('Status');
      return {
        Summaries: setsOf(ctx)
          .filter((s) => !status || s.status === status)
          .map(summary),
      };
    },
  },
  CreateStackInstances: {
    handler(ctx) {
      const s = liveSet(ctx);
      const accounts = accountsOf(ctx.params);
      const regions = ctx.params.list('Regions');
      if (regions.length === 0)
        throw new SimError(
          'ValidationError',
          "1 validation error detected: Value null at 'regions' failed to satisfy constraint: Member must not be null",
          400,
        );
      const operationId = ctx.params.get('OperationId') ?? ctx.sim.ids.uuid();
      for (const account of accounts)
        for (const region of regions) {
          if (s.instances.some((i) => i.account === account && i.region === region)) continue;
          s.instances.push({
            account,
            region,
            operationId,
            stackId: `arn:aws:cloudformation:${region}:${account}:stack/StackSet-${s.name}-${ctx.sim.ids.uuid()}/${ctx.sim.ids.uuid()}`,
          });
        }
      return { OperationId: operationId };
    },
  },
  ListStackInstances: {
    handler(ctx) {
      const s = liveSet(ctx);
      const account = ctx.params.get('StackInstanceAccount');
      const region = ctx.params.get('StackInstanceRegion');
      return {
        Summaries: s.instances
          .filter((i) => (!account || i.account === account) && (!region || i.region === region))
          .map((i) => ({
            StackSetId: s.id,
            Region: i.region,
            Account: i.account,
            StackId: i.stackId,
            Status: 'CURRENT',
            StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' },
            DriftStatus: 'NOT_CHECKED',
            LastOperationId: i.operationId,
          })),
      };
    },
  },
  DeleteStackInstances: {
    handler(ctx) {
      const s = liveSet(ctx);
      const accounts = new Set(accountsOf(ctx.params));
      const regions = new Set(ctx.params.list('Regions'));
      s.instances = s.instances.filter((i) => !(accounts.has(i.account) && regions.has(i.region)));
      return { OperationId: ctx.params.get('OperationId') ?? ctx.sim.ids.uuid() };
    },
  },
  DeleteStackSet: {
    handler(ctx) {
      const s = liveSet(ctx);
      if (s.instances.length > 0)
        throw new SimError(
          'StackSetNotEmptyException',
          `StackSet ${s.name} cannot be deleted while it still has stack instances`,
          409,
        );
      s.status = 'DELETED';
      return {};
    },
  },
};
