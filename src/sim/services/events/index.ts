import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext } from '../../core/service.js';

interface Target {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
}

interface Rule {
  Name: string;
  Arn: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  EventBusName: string;
  targets: Record<string, Target>;
}

/** Per account: rules of the default event bus, by region, then by name. */
export interface EventsState {
  rules: Record<string, Record<string, Rule>>;
}

type Ctx = OpContext<EventsState>;

function rulesOf(ctx: Ctx): Record<string, Rule> {
  return (ctx.state.rules[ctx.region] ??= {});
}

function ruleArn(ctx: Ctx, name: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.caller.accountId}:rule/${name}`;
}

function named(ctx: Ctx, field = 'Name'): Rule {
  const name = bodyString(ctx.body[field]);
  const rule = rulesOf(ctx)[name];
  if (!rule) throw new SimError('ResourceNotFoundException', `Rule ${name} does not exist.`, 400);
  return rule;
}

const ruleAuth = (field: string) => ({ resource: (ctx: Ctx) => ruleArn(ctx, bodyString(ctx.body[field])) });

function shape(r: Rule) {
  return {
    Name: r.Name,
    Arn: r.Arn,
    ...(r.EventPattern ? { EventPattern: r.EventPattern } : {}),
    ...(r.ScheduleExpression ? { ScheduleExpression: r.ScheduleExpression } : {}),
    State: r.State,
    ...(r.Description ? { Description: r.Description } : {}),
    EventBusName: r.EventBusName,
  };
}

/**
 * Amazon EventBridge (awsJson1.1, API 2015-10-07), the default event bus's rules and targets: what
 * an audit reads (alarms as rules) and what `tourniquet prevent`'s template deploys. Rules are
 * stored, not run: no event is delivered to a target.
 */
export const eventsService = defineService<EventsState>({
  signingName: 'events',
  protocol: 'json',
  targetPrefix: 'AWSEvents',
  eventSource: 'events.amazonaws.com',
  apiVersion: '2015-10-07',
  endpointHost: (region) => `events.${region}.amazonaws.com`,
  initState: () => ({ rules: {} }),
  operations: {
    PutRule: {
      auth: ruleAuth('Name'),
      handler(ctx) {
        const name = bodyString(ctx.body.Name);
        const pattern = bodyString(ctx.body.EventPattern);
        const schedule = bodyString(ctx.body.ScheduleExpression);
        if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name))
          throw new SimError(
            'ValidationException',
            `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint`,
            400,
          );
        if (!pattern && !schedule)
          throw new SimError(
            'ValidationException',
            'Parameter(s) EventPattern or ScheduleExpression must be specified.',
            400,
          );
        if (pattern) {
          try {
            const parsed: unknown = JSON.parse(pattern);
            if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
              throw new Error('not an object');
          } catch {
            throw new SimError(
              'InvalidEventPatternException',
              'Event pattern is not valid. Reason: not a JSON object',
              400,
            );
          }
        }
        const rules = rulesOf(ctx);
        const existing = rules[name];
        const state = bodyString(ctx.body.State) === 'DISABLED' ? 'DISABLED' : 'ENABLED';
        const description = bodyString(ctx.body.Description);
        rules[name] = {
          Name: name,
          Arn: ruleArn(ctx, name),
          ...(pattern ? { EventPattern: pattern } : {}),
          ...(schedule ? { ScheduleExpression: schedule } : {}),
          State: state,
          ...(description ? { Description: description } : {}),
          EventBusName: 'default',
          targets: existing?.targets ?? {},
        };
        return { RuleArn: ruleArn(ctx, name) };
      },
    },
    DescribeRule: { auth: ruleAuth('Name'), handler: (ctx) => shape(named(ctx)) },
    ListRules: {
      handler(ctx) {
        const prefix = bodyString(ctx.body.NamePrefix);
        return {
          Rules: Object.values(rulesOf(ctx))
            .filter((r) => r.Name.startsWith(prefix))
            .sort((a, b) => a.Name.localeCompare(b.Name))
            .map(shape),
        };
      },
    },
    EnableRule: {
      auth: ruleAuth('Name'),
      handler(ctx) {
        named(ctx).State = 'ENABLED';
        return {};
      },
    },
    DisableRule: {
      auth: ruleAuth('Name'),
      handler(ctx) {
        named(ctx).State = 'DISABLED';
        return {};
      },
    },
    DeleteRule: {
      auth: ruleAuth('Name'),
      handler(ctx) {
        const rule = rulesOf(ctx)[bodyString(ctx.body.Name)];
        if (rule && Object.keys(rule.targets).length)
          throw new SimError('ValidationException', "Rule can't be deleted since it has targets.", 400);
        if (rule) delete rulesOf(ctx)[rule.Name];
        return {};
      },
    },
    PutTargets: {
      auth: ruleAuth('Rule'),
      handler(ctx) {
        const rule = named(ctx, 'Rule');
        const targets = Array.isArray(ctx.body.Targets)
          ? (ctx.body.Targets as Record<string, unknown>[])
          : [];
        for (const t of targets) {
          const id = bodyString(t.Id);
          rule.targets[id] = {
            Id: id,
            Arn: bodyString(t.Arn),
            ...(t.Input ? { Input: bodyString(t.Input) } : {}),
            ...(t.InputPath ? { InputPath: bodyString(t.InputPath) } : {}),
          };
        }
        return { FailedEntryCount: 0, FailedEntries: [] };
      },
    },
    ListTargetsByRule: {
      auth: ruleAuth('Rule'),
      handler: (ctx) => ({ Targets: Object.values(named(ctx, 'Rule').targets) }),
    },
    RemoveTargets: {
      auth: ruleAuth('Rule'),
      handler(ctx) {
        const rule = named(ctx, 'Rule');
        const ids = Array.isArray(ctx.body.Ids) ? ctx.body.Ids.map(bodyString) : [];
        for (const id of ids) delete rule.targets[id];
        return { FailedEntryCount: 0, FailedEntries: [] };
      },
    },
  },
});
