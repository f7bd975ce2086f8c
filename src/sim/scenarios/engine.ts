import { createHash } from 'node:crypto';
import { deliverDueTrails } from '../cloudtrail/delivery.js';
import type { RunningSim } from '../index.js';
import type { ClientCache } from './clients.js';
import { commandFor } from './clients.js';
import { runConsoleAction } from './console.js';
import type { Actor, ConsoleStep, Credentials, Step, TimelineItem, TruthNote, Vars } from './types.js';

/** An event an attacker step caused, by the account that recorded it. */
export interface CapturedEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  accountId: string;
  region: string;
  time: string;
  errorCode?: string | undefined;
}

/** What the engine learns while running the attacker's steps. */
export interface AttackLog {
  events: CapturedEvent[];
  /** Temporary access key ids of sessions the attacker's calls created. */
  sessions: string[];
  notes: TruthNote[];
  /** Access keys the attacker signed with. */
  keysUsed: Set<string>;
}

/** Everything the engine needs while replaying a timeline. */
export interface RunContext {
  sim: RunningSim;
  clients: ClientCache;
  actors: Map<string, Actor>;
  /** Credentials each actor signs with unless a step names others. */
  credentialsOf: Map<string, Credentials>;
  vars: Vars;
  log: AttackLog;
  /** Seed and counter of the idempotency tokens the engine fills in. */
  seed: string;
  tokens: number;
}

/**
 * Idempotency tokens the SDK would otherwise fill with random UUIDs (they show up in CloudTrail
 * and in state, e.g. a secret's version id): the engine supplies seeded ones instead.
 */
const IDEMPOTENCY_TOKENS: Record<string, string> = {
  'ec2:RunInstances': 'ClientToken',
  'guardduty:CreateDetector': 'ClientToken',
  'secretsmanager:CreateSecret': 'ClientRequestToken',
  'secretsmanager:PutSecretValue': 'ClientRequestToken',
  'secretsmanager:UpdateSecret': 'ClientRequestToken',
  'secretsmanager:RotateSecret': 'ClientRequestToken',
};

function seededUuid(ctx: RunContext): string {
  const h = createHash('sha256').update(`${ctx.seed}:token:${ctx.tokens++}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A timeline item with its absolute time. */
export interface Timed {
  time: number;
  item: TimelineItem;
}

function isConsole(item: TimelineItem): item is ConsoleStep {
  return 'console' in item;
}

function credentialsFor(ctx: RunContext, step: Step, actor: Actor): Credentials {
  if (step.as) {
    const c = ctx.vars[step.as] as Credentials | undefined;
    if (!c?.accessKeyId) throw new Error(`scenario variable ${step.as} holds no credentials`);
    return c;
  }
  const c = ctx.credentialsOf.get(actor.name);
  if (!c) throw new Error(`actor ${actor.name} has no credentials`);
  return c;
}

function eventCounts(ctx: RunContext): Map<string, number> {
  return new Map(ctx.sim.state.accounts().map((a) => [a.accountId, a.cloudtrail.events.length]));
}

function newEvents(ctx: RunContext, before: Map<string, number>): CapturedEvent[] {
  const out: CapturedEvent[] = [];
  for (const a of ctx.sim.state.accounts()) {
    for (const r of a.cloudtrail.events.slice(before.get(a.accountId) ?? 0)) {
      out.push({
        eventId: r.eventID,
        eventName: r.eventName,
        eventSource: r.eventSource,
        accountId: a.accountId,
        region: r.awsRegion,
        time: r.eventTime,
        errorCode: r.errorCode,
      });
    }
  }
  return out;
}

/** Drain streaming bodies (S3 GetObject, Bedrock's response streams) so sockets are released. */
async function settle(out: Record<string, unknown>): Promise<void> {
  const body = out.Body as { transformToByteArray?: () => Promise<Uint8Array> } | undefined;
  if (body?.transformToByteArray) out.Body = Buffer.from(await body.transformToByteArray()).toString('utf8');
  const events = out.body as AsyncIterable<unknown> | undefined;
  if (events && typeof events === 'object' && Symbol.asyncIterator in events) {
    const chunks: unknown[] = [];
    for await (const event of events) chunks.push(event);
    out.body = chunks;
  }
}

async function runStep(ctx: RunContext, step: Step, actor: Actor): Promise<void> {
  const creds = credentialsFor(ctx, step, actor);
  ctx.sim.state.setApparentIp(creds.accessKeyId, actor.ip);
  const client = ctx.clients.get(step.service, step.region ?? 'us-east-1', creds, actor.userAgent);
  const Command = commandFor(step.service, step.op);
  const input = { ...(typeof step.input === 'function' ? step.input(ctx.vars) : (step.input ?? {})) };
  const tokenField = IDEMPOTENCY_TOKENS[`${step.service}:${step.op}`];
  if (tokenField && input[tokenField] === undefined) input[tokenField] = seededUuid(ctx);
  const beforeEvents = eventCounts(ctx);
  const beforeSessions = new Set(Object.keys(ctx.sim.state.data.sessions));
  let out: Record<string, unknown> = {};
  try {
    out = await client.send(new Command(input));
    await settle(out);
    if (step.expectError) throw new Error(`expected ${step.expectError} from ${step.service}:${step.op}`);
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (!step.expectError || name !== step.expectError) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `scenario step ${actor.name} ${step.service}:${step.op} failed: ${name ?? ''} ${message}`,
        {
          cause: error,
        },
      );
    }
  }
  step.save?.(out, ctx.vars);
  if (actor.kind !== 'attacker') return;
  ctx.log.keysUsed.add(creds.accessKeyId);
  const events = newEvents(ctx, beforeEvents);
  ctx.log.events.push(...events);
  ctx.log.sessions.push(...Object.keys(ctx.sim.state.data.sessions).filter((k) => !beforeSessions.has(k)));
  if (step.truth)
    ctx.log.notes.push(
      withEvents(typeof step.truth === 'function' ? step.truth(out, ctx.vars) : step.truth, events),
    );
}

/** The step's successful records become the event ids of the persistence it notes. */
function withEvents(note: TruthNote, events: CapturedEvent[]): TruthNote {
  if (!note.persistence) return note;
  const eventIds = events.filter((e) => e.errorCode === undefined).map((e) => e.eventId);
  return { ...note, persistence: note.persistence.map((p) => ({ ...p, eventIds: p.eventIds ?? eventIds })) };
}

/**
 * Replay a timeline in time order on the simulated clock: set the clock, deliver the trail
 * files that are due (synchronously, so nothing else draws ids in between), then make the call
 * through the real SDK with the actor's apparent IP and user agent.
 */
export async function runTimeline(ctx: RunContext, timeline: Timed[]): Promise<void> {
  const ordered = timeline.map((t, i) => ({ ...t, i })).sort((a, b) => a.time - b.time || a.i - b.i);
  for (const { time, item } of ordered) {
    ctx.sim.clock.set(time);
    deliverDueTrails(ctx.sim.state);
    const actor = ctx.actors.get(item.actor);
    if (!actor) throw new Error(`unknown actor ${item.actor}`);
    if (isConsole(item)) {
      const beforeEvents = eventCounts(ctx);
      const beforeSessions = new Set(Object.keys(ctx.sim.state.data.sessions));
      runConsoleAction(ctx.sim.state, item.console, actor, ctx.vars);
      deliverDueTrails(ctx.sim.state);
      if (actor.kind === 'attacker') {
        const events = newEvents(ctx, beforeEvents);
        ctx.log.events.push(...events);
        ctx.log.sessions.push(
          ...Object.keys(ctx.sim.state.data.sessions).filter((k) => !beforeSessions.has(k)),
        );
        if (item.truth)
          ctx.log.notes.push(
            withEvents(typeof item.truth === 'function' ? item.truth(ctx.vars) : item.truth, events),
          );
      }
      continue;
    }
    await runStep(ctx, item, actor);
  }
}
