import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import type { OpContext } from '../../core/service.js';

/** An event bus and its resource policy's statements (what PutPermission builds). */
export interface Bus {
  name: string;
  arn: string;
  createdAt: string;
  modifiedAt: string;
  statements: Record<string, unknown>[];
}

/** The named bus; the default bus exists in every region from the first call that needs it. */
export function busOf(ctx: OpContext<unknown>, buses: Record<string, Bus>, name: string): Bus {
  const found = buses[name];
  if (found) return found;
  if (name !== 'default')
    throw new SimError('ResourceNotFoundException', `Event bus ${name} does not exist.`, 400);
  const now = ctx.sim.nowIso();
  return (buses[name] = {
    name,
    arn: `arn:aws:events:${ctx.region}:${ctx.caller.accountId}:event-bus/${name}`,
    createdAt: now,
    modifiedAt: now,
    statements: [],
  });
}

function invalidPattern(reason: string): SimError {
  return new SimError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`, 400);
}

/** An event pattern is a JSON object whose leaves are arrays (or nested objects). */
export function checkPattern(pattern: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch {
    throw invalidPattern('Filter is not valid JSON');
  }
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node))
      throw invalidPattern(`"${path}" must be an object or an array`);
    for (const [k, v] of Object.entries(node)) {
      if (Array.isArray(v)) continue;
      walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(parsed, '');
}

/** `rate(5 minutes)` or a six-field `cron(...)`, on the default bus only. */
export function checkSchedule(expression: string, bus: string): void {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  const cron = /^cron\((\S+ ){5}\S+\)$/.test(expression);
  if ((!rate || Number(rate[1]) < 1) && !cron)
    throw new SimError('ValidationException', 'Parameter ScheduleExpression is not valid.', 400);
  if (bus !== 'default')
    throw new SimError(
      'ValidationException',
      'ScheduleExpression is supported only on the default event bus.',
      400,
    );
}

/** The statement PutPermission adds for `Principal` (an account id or `*`), as EventBridge writes it. */
export function statementFor(body: Record<string, unknown>, busArn: string): Record<string, unknown> {
  const sid = bodyString(body.StatementId);
  const principal = bodyString(body.Principal);
  const action = bodyString(body.Action) || 'events:PutEvents';
  if (!sid || !principal)
    throw new SimError(
      'ValidationException',
      'Parameters StatementId and Principal are required when Policy is not given.',
      400,
    );
  if (action !== 'events:PutEvents')
    throw new SimError('ValidationException', `Provided value in parameter 'action' is not supported.`, 400);
  if (principal !== '*' && !/^\d{12}$/.test(principal))
    throw new SimError('ValidationException', `Parameter Principal is not valid.`, 400);
  const condition = body.Condition as { Type?: string; Key?: string; Value?: string } | undefined;
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: principal === '*' ? '*' : { AWS: `arn:aws:iam::${principal}:root` },
    Action: action,
    Resource: busArn,
    ...(condition?.Key
      ? { Condition: { [condition.Type ?? 'StringEquals']: { [condition.Key]: condition.Value ?? '' } } }
      : {}),
  };
}

/** Remove one statement; EventBridge's errors when there is no policy or no such statement. */
export function removeStatement(bus: Bus, sid: string): void {
  if (bus.statements.length === 0)
    throw new SimError('ResourceNotFoundException', 'EventBus does not have a policy.', 400);
  if (!bus.statements.some((s) => s.Sid === sid))
    throw new SimError('ResourceNotFoundException', 'Statement with the provided id does not exist.', 400);
  bus.statements = bus.statements.filter((s) => s.Sid !== sid);
}
