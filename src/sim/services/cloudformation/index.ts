import { SimError } from '../../core/errors.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import { RESOURCE_TYPES, type StackResource } from './resources.js';
import { stackSetOps, type StackSetState } from './stack-sets.js';
import { creationOrder, parseTemplate, resolve, type Scope } from './template.js';

/** A stack as CloudFormation keeps it (deleted stacks stay listed by ListStacks for 90 days). */
interface Stack {
  stackName: string;
  stackId: string;
  status: string;
  statusReason?: string | undefined;
  creationTime: string;
  deletionTime?: string | undefined;
  templateBody: string;
  description?: string | undefined;
  parameters: { ParameterKey: string; ParameterValue: string }[];
  tags: { Key: string; Value: string }[];
  outputs: { OutputKey: string; OutputValue: string; Description?: string | undefined }[];
  resources: StackResource[];
}

interface CfnState extends StackSetState {
  regions: Record<string, Stack[]>;
}

type Ctx = OpContext<CfnState>;

function stacks(ctx: Ctx): Stack[] {
  return (ctx.state.regions[ctx.region] ??= []);
}

function live(ctx: Ctx, nameOrId: string): Stack {
  const s = stacks(ctx).find(
    (x) => (x.stackName === nameOrId || x.stackId === nameOrId) && x.status !== 'DELETE_COMPLETE',
  );
  if (!s) throw new SimError('ValidationError', `Stack with id ${nameOrId} does not exist`, 400);
  return s;
}

function describe(s: Stack) {
  return {
    StackId: s.stackId,
    StackName: s.stackName,
    Description: s.description,
    Parameters: s.parameters,
    CreationTime: new Date(s.creationTime),
    DeletionTime: s.deletionTime ? new Date(s.deletionTime) : undefined,
    StackStatus: s.status,
    StackStatusReason: s.statusReason,
    DisableRollback: false,
    Outputs: s.outputs,
    Tags: s.tags,
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

function removeAll(ctx: Ctx, resources: StackResource[]): void {
  for (const r of [...resources].reverse()) {
    try {
      RESOURCE_TYPES[r.type]?.remove(ctx, r);
    } catch (e) {
      // DELETE_FAILED on AWS; the simulator keeps going so the stack can still be deleted.
      if (!(e instanceof SimError)) throw e;
    }
  }
}

const operations: Record<string, OperationDef<CfnState>> = {
  CreateStack: {
    auth: 'handler',
    async handler(ctx) {
      const name = ctx.params.require('StackName');
      if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
        throw new SimError(
          'ValidationError',
          `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
          400,
        );
      }
      const stackId = `arn:aws:cloudformation:${ctx.region}:${ctx.caller.accountId}:stack/${name}/${ctx.sim.ids.uuid()}`;
      await ctx.authorize('cloudformation:CreateStack', stackId);
      if (stacks(ctx).some((s) => s.stackName === name && s.status !== 'DELETE_COMPLETE')) {
        throw new SimError('AlreadyExistsException', `Stack [${name}] already exists`, 400);
      }
      const body = ctx.params.require('TemplateBody');
      const template = parseTemplate(body);
      for (const [id, r] of Object.entries(template.Resources)) {
        if (!RESOURCE_TYPES[r.Type]) {
          throw new SimError(
            'ValidationError',
            `Template format error: Unrecognized resource types: [${r.Type}] (resource ${id}; the simulator supports ${Object.keys(RESOURCE_TYPES).join(', ')})`,
            400,
          );
        }
      }
      const given = Object.fromEntries(
        ctx.params
          .structs('Parameters')
          .map((p) => [p.require('ParameterKey'), p.get('ParameterValue') ?? '']),
      );
      const params: Record<string, string> = {};
      for (const [key, def] of Object.entries(template.Parameters ?? {})) {
        const v =
          given[key] ??
          (typeof def.Default === 'string' || typeof def.Default === 'number'
            ? String(def.Default)
            : undefined);
        if (v === undefined)
          throw new SimError('ValidationError', `Parameters: [${key}] must have values`, 400);
        params[key] = v;
      }
      const stack: Stack = {
        stackName: name,
        stackId,
        status: 'CREATE_COMPLETE',
        creationTime: ctx.sim.nowIso(),
        templateBody: body,
        description: (template as { Description?: string }).Description,
        parameters: Object.entries(params).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        tags: ctx.params.structs('Tags').map((t) => ({ Key: t.require('Key'), Value: t.get('Value') ?? '' })),
        outputs: [],
        resources: [],
      };
      const scope: Scope = {
        params,
        resources: {},
        pseudo: {
          'AWS::Region': ctx.region,
          'AWS::AccountId': ctx.caller.accountId,
          'AWS::StackName': name,
          'AWS::StackId': stackId,
          'AWS::Partition': 'aws',
        },
      };
      // CloudFormation acts with the caller's permissions: each resource needs its own action.
      try {
        for (const id of creationOrder(template)) {
          const def = template.Resources[id]!;
          const type = RESOURCE_TYPES[def.Type]!;
          const decision = await ctx.evaluate(type.action);
          if (!decision.allowed) {
            throw new SimError(
              'AccessDenied',
              `Resource handler returned message: "User: ${ctx.caller.arn} is not authorized to perform: ${type.action}"`,
              403,
            );
          }
          const props = resolve(def.Properties ?? {}, scope) as Record<string, unknown>;
          const made = type.create(ctx, props, id, name);
          const resource: StackResource = {
            logicalId: id,
            type: def.Type,
            region: ctx.region,
            createdAt: ctx.sim.nowIso(),
            ...made,
          };
          stack.resources.push(resource);
          scope.resources[id] = { physicalId: made.physicalId, attributes: made.attributes };
        }
        stack.outputs = Object.entries(template.Outputs ?? {}).map(([OutputKey, o]) => ({
          OutputKey,
          OutputValue: String(resolve(o.Value, scope)),
          Description: o.Description,
        }));
      } catch (e) {
        if (!(e instanceof SimError)) throw e;
        removeAll(ctx, stack.resources);
        stack.status = 'ROLLBACK_COMPLETE';
        stack.statusReason = `The following resource(s) failed to create: ${e.message}`;
        stack.resources = [];
      }
      stacks(ctx).push(stack);
      return { StackId: stackId };
    },
  },
  DescribeStacks: {
    handler(ctx) {
      const name = ctx.params.get('StackName');
      const list = name ? [live(ctx, name)] : stacks(ctx).filter((s) => s.status !== 'DELETE_COMPLETE');
      return { Stacks: list.map(describe) };
    },
  },
  ListStacks: {
    handler(ctx) {
      const filter = ctx.params.list('StackStatusFilter');
      return {
        StackSummaries: stacks(ctx)
          .filter((s) => filter.length === 0 || filter.includes(s.status))
          .map((s) => ({
            StackId: s.stackId,
            StackName: s.stackName,
            TemplateDescription: s.description,
            CreationTime: new Date(s.creationTime),
            DeletionTime: s.deletionTime ? new Date(s.deletionTime) : undefined,
            StackStatus: s.status,
            StackStatusReason: s.statusReason,
          })),
      };
    },
  },
  DescribeStackResources: {
    handler(ctx) {
      const s = live(ctx, ctx.params.require('StackName'));
      return {
        StackResources: s.resources.map((r) => ({
          StackName: s.stackName,
          StackId: s.stackId,
          LogicalResourceId: r.logicalId,
          PhysicalResourceId: r.physicalId,
          ResourceType: r.type,
          Timestamp: new Date(r.createdAt),
          ResourceStatus: 'CREATE_COMPLETE',
        })),
      };
    },
  },
  GetTemplate: {
    handler(ctx) {
      const s = live(ctx, ctx.params.require('StackName'));
      return { TemplateBody: s.templateBody, StagesAvailable: ['Original', 'Processed'] };
    },
  },
  DeleteStack: {
    auth: 'handler',
    async handler(ctx) {
      const nameOrId = ctx.params.require('StackName');
      const s = stacks(ctx).find(
        (x) => (x.stackName === nameOrId || x.stackId === nameOrId) && x.status !== 'DELETE_COMPLETE',
      );
      await ctx.authorize('cloudformation:DeleteStack', s?.stackId ?? '*');
      // Deleting a stack that does not exist succeeds silently, as on AWS.
      if (!s) return undefined;
      removeAll(ctx, s.resources);
      s.status = 'DELETE_COMPLETE';
      s.deletionTime = ctx.sim.nowIso();
      return undefined;
    },
  },
  ...stackSetOps,
};

/**
 * CloudFormation (awsQuery, API 2010-05-15): stacks whose templates create EC2, IAM, S3 and
 * Lambda resources through those services' state, with the underlying calls recorded in
 * CloudTrail as made on the caller's behalf.
 */
export const cloudFormationService = defineService<CfnState>({
  signingName: 'cloudformation',
  protocol: 'query',
  eventSource: 'cloudformation.amazonaws.com',
  apiVersion: '2010-05-15',
  xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
  endpointHost: (region) => `cloudformation.${region}.amazonaws.com`,
  initState: () => ({ regions: {} }),
  operations,
});
