import type { QueryParams } from '../../core/params.js';
import type { OpContext, OperationDef } from '../../core/service.js';
import { Ec2Error } from './errors.js';
import type { Ec2AccountState, Ec2Deps, Ec2State, WireObject } from './model.js';
import { ec2TrailShape, wrappedRequest, wrappedResponse } from './trail.js';

/** What an EC2 operation works with: the request, the EC2 world, and who calls from where. */
export interface Ec2Call {
  p: QueryParams;
  world: Ec2State;
  deps: Ec2Deps;
  /** The caller's account id. */
  account: string;
  region: string;
  ctx: OpContext<Ec2AccountState>;
}

/** One EC2 operation, declared: what it authorizes, what it does, what CloudTrail shows. */
export interface Ec2OpSpec {
  /** Resource ARNs `ec2:<Operation>` is checked on (default `*`). */
  resources?(call: Ec2Call): string[];
  /** Condition keys EC2 sets for the action (`ec2:InstanceType`…). */
  context?(call: Ec2Call): Record<string, string | string[]>;
  run(call: Ec2Call): WireObject;
  /** requestParameters as EC2 records them (default: the request members, lower-camel). */
  requestParameters?(call: Ec2Call): unknown;
  /**
   * `wrapped`: CloudTrail records the call as EC2's newer APIs do, `{"<Op>Request": …}` and
   * `{"<Op>Response": …}` (launch templates, security group rules).
   */
  trailStyle?: 'wrapped';
}

/** The EC2 world seen from a request: every account's EC2 slice (sharing crosses accounts). */
function worldOf(ctx: OpContext<Ec2AccountState>): Ec2State {
  return {
    accounts: Object.fromEntries(ctx.sim.accounts().map((a) => [a.accountId, ctx.stateOf(a.accountId)])),
  };
}

/**
 * Build the OperationDef of a declared EC2 operation: authorize on each resource, answer
 * `DryRunOperation` (HTTP 412) when allowed and `DryRun=true`, run, and fill the CloudTrail
 * notes the EC2 way (`requestId` first in responseElements, lists as `items`).
 */
export function ec2Operation(spec: Ec2OpSpec): OperationDef<Ec2AccountState> {
  return {
    auth: 'handler',
    async handler(ctx) {
      const call: Ec2Call = {
        p: ctx.params,
        world: worldOf(ctx),
        deps: { now: () => ctx.now, hex: (length) => ctx.sim.ids.hex(length) },
        account: ctx.caller.accountId,
        region: ctx.region,
        ctx,
      };
      const action = `ec2:${ctx.operation}`;
      const context = spec.context?.(call);
      for (const resource of spec.resources?.(call) ?? ['*']) {
        await ctx.authorize(action, resource, context ? { context } : {});
      }
      if (call.p.bool('DryRun')) {
        throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
      }
      const wrapped = spec.trailStyle === 'wrapped';
      if (wrapped) ctx.trail.requestParameters = wrappedRequest(ctx.operation, call.p.entries());
      else if (spec.requestParameters) ctx.trail.requestParameters = spec.requestParameters(call);
      const result = spec.run(call);
      const readOnly = /^(Describe|Get)/.test(ctx.operation);
      ctx.trail.responseElements = readOnly
        ? null
        : wrapped
          ? wrappedResponse(ctx.operation, ctx.requestId, result)
          : ec2TrailShape({ requestId: ctx.requestId, ...result });
      return result;
    },
  };
}
