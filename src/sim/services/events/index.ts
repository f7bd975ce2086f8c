import { SimError } from '../../core/errors.js';
import { bodyString, offsetPage } from '../../core/params.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import { busOf, checkPattern, checkSchedule, removeStatement, statementFor, type Bus } from './model.js';

/** A rule on an event bus, with its targets as PutTargets gave them (AWS's member names). */
interface Rule {
  name: string;
  arn: string;
  eventBusName: string;
  eventPattern?: string | undefined;
  scheduleExpression?: string | undefined;
  state: string;
  description?: string | undefined;
  roleArn?: string | undefined;
  createdBy: string;
  targets: Record<string, unknown>[];
}

/** Per account and region: the buses (the default one made on first use) and their rules. */
export interface EventsState {
  regions: Record<string, { buses: Record<string, Bus>; rules: Record<string, Rule> }>;
}

type Ctx = OpContext<EventsState>;

function regionOf(ctx: Ctx) {
  return (ctx.state.regions[ctx.region] ??= { buses: {}, rules: {} });
}

/** The bus a request names (`EventBusName`, a name or an ARN; default when absent). */
function busName(ctx: Ctx): string {
  const raw = bodyString(ctx.body.EventBusName) || 'default';
  return raw.startsWith('arn:') ? raw.slice(raw.lastIndexOf('/') + 1) : raw;
}

function ruleKey(bus: string, name: string): string {
  return `${bus}|${name}`;
}

function ruleArn(ctx: Ctx, bus: string, name: string): string {
  const path = bus === 'default' ? name : `${bus}/${name}`;
  return `arn:aws:events:${ctx.region}:${ctx.caller.accountId}:rule/${path}`;
}

/** The rule the request names, or ResourceNotFoundException as EventBridge words it. */
function ruleOf(ctx: Ctx, nameMember = 'Name'): Rule {
  const bus = busName(ctx);
  const name = bodyString(ctx.body[nameMember]);
  const rule = regionOf(ctx).rules[ruleKey(bus, name)];
  if (!rule)
    throw new SimError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`, 400);
  return rule;
}

function ruleShape(r: Rule) {
  return {
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.eventPattern,
    ScheduleExpression: r.scheduleExpression,
    State: r.state,
    Description: r.description,
    RoleArn: r.roleArn,
    EventBusName: r.eventBusName,
  };
}

/** NextToken paging with `Limit` (default 100). */
function paged<T>(ctx: Ctx, items: T[]): { items: T[]; NextToken?: string | undefined } {
  const limit = typeof ctx.body.Limit === 'number' ? ctx.body.Limit : 100;
  const { items: page, next } = offsetPage(items, bodyString(ctx.body.NextToken), limit);
  return { items: page, NextToken: next };
}

const ruleAuth = (action: string, member = 'Name') => ({
  action,
  resource: (ctx: Ctx) => ruleArn(ctx, busName(ctx), bodyString(ctx.body[member])),
});

const operations: Record<string, OperationDef<EventsState>> = {
  PutRule: {
    auth: ruleAuth('events:PutRule'),
    handler(ctx) {
      const name = bodyString(ctx.body.Name);
      if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name))
        throw new SimError(
          'ValidationException',
          `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
          400,
        );
      const bus = busName(ctx);
      busOf(ctx, regionOf(ctx).buses, bus);
      const pattern = bodyString(ctx.body.EventPattern) || undefined;
      const schedule = bodyString(ctx.body.ScheduleExpression) || undefined;
      if (!pattern && !schedule)
        throw new SimError(
          'ValidationException',
          'Parameter(s) EventPattern or ScheduleExpression must be specified.',
          400,
        );
      if (pattern) checkPattern(pattern);
      if (schedule) checkSchedule(schedule, bus);
      const rules = regionOf(ctx).rules;
      const key = ruleKey(bus, name);
      const old = rules[key];
      const rule: Rule = {
        name,
        arn: ruleArn(ctx, bus, name),
        eventBusName: bus,
        eventPattern: pattern,
        scheduleExpression: schedule,
        state: bodyString(ctx.body.State) || 'ENABLED',
        description: bodyString(ctx.body.Description) || undefined,
        roleArn: bodyString(ctx.body.RoleArn) || undefined,
        createdBy: old?.createdBy ?? ctx.caller.accountId,
        targets: old?.targets ?? [],
      };
      rules[key] = rule;
      return { RuleArn: rule.arn };
    },
  },
  DescribeRule: {
    auth: ruleAuth('events:DescribeRule'),
    handler(ctx) {
      const r = ruleOf(ctx);
      return { ...ruleShape(r), CreatedBy: r.createdBy };
    },
  },
  ListRules: {
    handler(ctx) {
      const bus = busName(ctx);
      const prefix = bodyString(ctx.body.NamePrefix);
      const all = Object.values(regionOf(ctx).rules)
        .filter((r) => r.eventBusName === bus && r.name.startsWith(prefix))
        .sort((a, b) => a.name.localeCompare(b.name));
      const { items, NextToken } = paged(ctx, all);
      return { Rules: items.map(ruleShape), NextToken };
    },
  },
  EnableRule: {
    auth: ruleAuth('events:EnableRule'),
    handler(ctx) {
      ruleOf(ctx).state = 'ENABLED';
      return {};
    },
  },
  DisableRule: {
    auth: ruleAuth('events:DisableRule'),
    handler(ctx) {
      ruleOf(ctx).state = 'DISABLED';
      return {};
    },
  },
  DeleteRule: {
    auth: ruleAuth('events:DeleteRule'),
    handler(ctx) {
      const bus = busName(ctx);
      const rules = regionOf(ctx).rules;
      const key = ruleKey(bus, bodyString(ctx.body.Name));
      const r = rules[key];
      // Deleting a rule that does not exist succeeds, as on AWS.
      if (!r) return {};
      if (r.targets.length > 0)
        throw new SimError('ValidationException', "Rule can't be deleted since it has targets.", 400);
      delete rules[key];
      return {};
    },
  },
  PutTargets: {
    auth: ruleAuth('events:PutTargets', 'Rule'),
    handler(ctx) {
      const r = ruleOf(ctx, 'Rule');
      const given = Array.isArray(ctx.body.Targets) ? (ctx.body.Targets as Record<string, unknown>[]) : [];
      for (const t of given) {
        if (!bodyString(t.Id) || !bodyString(t.Arn))
          throw new SimError(
            'ValidationException',
            "1 validation error detected: Value null at 'targets.1.member.arn' failed to satisfy constraint: Member must not be null",
            400,
          );
        r.targets = [...r.targets.filter((x) => x.Id !== t.Id), t];
      }
      if (r.targets.length > 5)
        throw new SimError(
          'LimitExceededException',
          'The requested resource exceeds the maximum number allowed.',
          400,
        );
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
  },
  ListTargetsByRule: {
    auth: ruleAuth('events:ListTargetsByRule', 'Rule'),
    handler(ctx) {
      const { items, NextToken } = paged(ctx, ruleOf(ctx, 'Rule').targets);
      return { Targets: items, NextToken };
    },
  },
  RemoveTargets: {
    auth: ruleAuth('events:RemoveTargets', 'Rule'),
    handler(ctx) {
      const r = ruleOf(ctx, 'Rule');
      const ids = Array.isArray(ctx.body.Ids) ? ctx.body.Ids.map(bodyString) : [];
      r.targets = r.targets.filter((t) => !ids.includes(bodyString(t.Id)));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
  },
  DescribeEventBus: {
    handler(ctx) {
      const raw = bodyString(ctx.body.Name) || 'default';
      const name = raw.startsWith('arn:') ? raw.slice(raw.lastIndexOf('/') + 1) : raw;
      const bus = busOf(ctx, regionOf(ctx).buses, name);
      return {
        Name: bus.name,
        Arn: bus.arn,
        Policy: bus.statements.length
          ? JSON.stringify({ Version: '2012-10-17', Statement: bus.statements })
          : undefined,
        CreationTime: new Date(bus.createdAt),
        LastModifiedTime: new Date(bus.modifiedAt),
      };
    },
  },
  PutPermission: {
    handler(ctx) {
      const bus = busOf(ctx, regionOf(ctx).buses, busName(ctx));
      const policy = bodyString(ctx.body.Policy);
      if (policy) {
        let parsed: { Statement?: unknown };
        try {
          parsed = JSON.parse(policy) as { Statement?: unknown };
        } catch {
          throw new SimError('ValidationException', 'Policy is not valid JSON.', 400);
        }
        const list = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
        bus.statements = list.filter(
          (s): s is Record<string, unknown> => typeof s === 'object' && s !== null,
        );
      } else {
        const statement = statementFor(ctx.body, bus.arn);
        bus.statements = [...bus.statements.filter((s) => s.Sid !== statement.Sid), statement];
      }
      bus.modifiedAt = ctx.sim.nowIso();
      return {};
    },
  },
  RemovePermission: {
    handler(ctx) {
      const bus = busOf(ctx, regionOf(ctx).buses, busName(ctx));
      if (ctx.body.RemoveAllPermissions === true) bus.statements = [];
      else removeStatement(bus, bodyString(ctx.body.StatementId));
      bus.modifiedAt = ctx.sim.nowIso();
      return {};
    },
  },
};

/**
 * Amazon EventBridge (awsJson1.1, API 2015-10-07): rules and their targets (what an audit reads
 * and `tourniquet prevent`'s template deploys; what scope sweeps for persistence), and the bus's
 * resource policy. Rules are stored and recorded in CloudTrail, not run: no event reaches a target.
 */
export const eventsService = defineService<EventsState>({
  signingName: 'events',
  protocol: 'json',
  targetPrefix: 'AWSEvents',
  eventSource: 'events.amazonaws.com',
  apiVersion: '2015-10-07',
  endpointHost: (region) => `events.${region}.amazonaws.com`,
  initState: () => ({ regions: {} }),
  operations,
});

/**
 * Put a rule with its targets on a region's default bus, as CloudFormation's AWS::Events::Rule
 * does (the pattern checked as PutRule checks it).
 */
export function putDefaultBusRule(
  state: EventsState,
  o: {
    account: string;
    region: string;
    name: string;
    pattern: string;
    enabled: boolean;
    description?: string | undefined;
    targets: { Id: string; Arn: string }[];
  },
): { name: string; arn: string } {
  checkPattern(o.pattern);
  const region = (state.regions[o.region] ??= { buses: {}, rules: {} });
  const rule: Rule = {
    name: o.name,
    arn: `arn:aws:events:${o.region}:${o.account}:rule/${o.name}`,
    eventBusName: 'default',
    eventPattern: o.pattern,
    state: o.enabled ? 'ENABLED' : 'DISABLED',
    description: o.description,
    createdBy: o.account,
    targets: o.targets,
  };
  region.rules[ruleKey('default', o.name)] = rule;
  return rule;
}

/** Delete a default-bus rule and its targets (a stack's deletion). */
export function deleteDefaultBusRule(state: EventsState, region: string, name: string): void {
  delete state.regions[region]?.rules[ruleKey('default', name)];
}
