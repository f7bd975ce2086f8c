import { writeFileSync } from 'node:fs';
import { deliverDueTrails } from '../cloudtrail/delivery.js';
import type { RunningSim } from '../index.js';
import { ensureResponder, type ResponderCredentials } from '../serve.js';
import { createUserWithKey } from '../services/iam/entities.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { baselineSteps } from './baseline.js';
import { SCENARIOS } from './catalog/index.js';
import { ClientCache } from './clients.js';
import { runTimeline, type RunContext, type Timed } from './engine.js';
import { buildTruth, type Truth } from './truth.js';
import type { Actor, Credentials, ScenarioDef } from './types.js';
import {
  LOG_ARCHIVE_ACCOUNT,
  NORMAL_ACTORS,
  PROD_ACCOUNT,
  W,
  arn,
  layOrganisation,
  organisationTrailSteps,
  prodSetupSteps,
  setupSteps,
} from './world.js';

export { SCENARIOS } from './catalog/index.js';
export { checkCleanState } from './clean.js';
export { runConsoleAction } from './console.js';
export type { Truth } from './truth.js';
export type { ScenarioDef } from './types.js';

const DAY = 86_400_000;
/** The account was set up a month before the end of the history; the baseline covers 3 weeks. */
const SETUP_BEFORE_END = 30 * DAY;
const BASELINE_DAYS = 21;

/** What loading a scenario gives the caller. */
export interface LoadedScenario {
  truth: Truth;
  /** The security team's admin user in the victim account (for the responder's tool). */
  responderCredentials: ResponderCredentials;
  /** The leaked credentials (what the attacker holds), when the entry point is a key. */
  leakedCredentials: Credentials | undefined;
  /** Temporary credentials the attacker obtained, by access key id (still valid at the end). */
  attackerSessions: Record<string, Credentials>;
}

/** Names and one-line summaries of the scenarios. */
export function listScenarios(): { name: string; summary: string }[] {
  return Object.values(SCENARIOS).map((s) => ({ name: s.name, summary: s.summary }));
}

/** The scenario named `name`, or undefined. */
export function scenarioNamed(name: string): ScenarioDef | undefined {
  return Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
}

/**
 * Lay a scenario's history into a running simulated account: a month-old set-up, three weeks of
 * normal developer and CI work with the developer's key, and the attack, all through the real
 * AWS SDK on the simulated clock. The history ends at the clock's current time (to the minute);
 * afterwards the clock is where it was (running again if it was running).
 */
export async function loadScenario(
  sim: RunningSim,
  name: string,
  options: { seed?: string | number; truthFile?: string } = {},
): Promise<LoadedScenario> {
  const def = scenarioNamed(name);
  if (!def) throw new Error(`unknown scenario '${name}' (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const state = sim.state;
  if (state.account(VICTIM_ACCOUNT)?.iam.users[W.adminUser]) {
    throw new Error(
      `the account already holds a scenario's history: load '${name}' into a fresh simulated account`,
    );
  }
  const seed = String(options.seed ?? state.data.seed);
  const wasFrozen = state.clock.isFrozen();
  const end = Math.floor(state.clock.nowMs() / 60_000) * 60_000;
  state.clock.freeze();
  if (!state.account(PROD_ACCOUNT)) state.addAccount(PROD_ACCOUNT, 'victim-prod');

  const responderCredentials = ensureResponder(state);
  const setupAt = end - SETUP_BEFORE_END;
  state.clock.set(setupAt - DAY);
  const admin = createUserWithKey(state, VICTIM_ACCOUNT, W.adminUser, {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  });
  admin.user.loginProfile = {
    createDate: state.nowIso(),
    passwordResetRequired: false,
    password: 'Ops-Admin-2026!',
  };
  const prodAdmin = createUserWithKey(state, PROD_ACCOUNT, 'prod-admin', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  });
  if (def.organisation) layOrganisation(state);

  const actors = new Map<string, Actor>([...NORMAL_ACTORS, ...def.attackers].map((a) => [a.name, a]));
  const credentialsOf = new Map<string, Credentials>([
    ['admin', admin.key],
    ['prod-admin', prodAdmin.key],
  ]);
  if (def.organisation) {
    const archivist = createUserWithKey(state, LOG_ARCHIVE_ACCOUNT, 'log-archive-admin', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    });
    actors.set('log-archive-admin', { ...actors.get('prod-admin')!, name: 'log-archive-admin' });
    credentialsOf.set('log-archive-admin', archivist.key);
  }
  const clients = new ClientCache(sim.endpoint);
  const ctx: RunContext = {
    sim,
    clients,
    actors,
    credentialsOf,
    vars: {},
    log: { events: [], sessions: [], notes: [], keysUsed: new Set() },
    seed,
    tokens: 0,
  };
  try {
    const setup: Timed[] = [
      ...setupSteps().map((item) => ({ time: setupAt + item.at, item })),
      ...prodSetupSteps().map((item) => ({ time: setupAt + 3_600_000 + item.at, item })),
      ...(def.organisation ? organisationTrailSteps() : []).map((item) => ({
        time: setupAt + 7_200_000 + item.at,
        item,
      })),
    ];
    await runTimeline(ctx, setup);
    def.prepare?.(state);
    const leaked = ctx.vars.leakedKey as Credentials;
    for (const who of ['developer', 'ci']) credentialsOf.set(who, leaked);
    if (def.leakedKey) for (const a of def.attackers) credentialsOf.set(a.name, leaked);

    const attackStart = def.steps.length ? end - def.attackStartsBeforeEnd : null;
    const historyStart = end - BASELINE_DAYS * DAY;
    const timeline: Timed[] = [
      ...baselineSteps(seed, historyStart, end).map((item) => ({ time: item.at, item })),
      ...def.steps.map((item) => ({ time: (attackStart ?? end) + item.at, item })),
    ];
    await runTimeline(ctx, timeline);

    state.clock.set(end);
    deliverDueTrails(state, true);
    if (def.leakedKey && def.steps.length) {
      // Whatever else the response does, the leaked key must end up inactive or deleted.
      ctx.log.notes.push({ clean: [{ check: 'accessKeyNotActive', accessKeyId: leaked.accessKeyId }] });
    }
    const truth = buildTruth({
      sim: state,
      def,
      seed,
      log: ctx.log,
      historyStart,
      attackStart,
      end,
      leakedAccessKeyId: def.leakedKey ? leaked.accessKeyId : null,
      compromisedUser: def.leakedKey
        ? `arn:aws:iam::${VICTIM_ACCOUNT}:user/${W.devUser}`
        : `arn:aws:iam::${VICTIM_ACCOUNT}:user/${W.adminUser}`,
      accountId: VICTIM_ACCOUNT,
      preExisting: [
        {
          kind: 'role-trust',
          resource: arn.role(W.auditRole),
          detail: `the external auditors' account ${W.auditor} may assume the role (with an external id), since the set-up`,
        },
        {
          kind: 'access-key',
          resource: String(ctx.vars.reportingSecondKey),
          detail: `second key of ${W.reportingUser}, made at the set-up`,
        },
      ],
    });
    if (options.truthFile) writeFileSync(options.truthFile, `${JSON.stringify(truth, null, 2)}\n`);
    const attackerSessions: Record<string, Credentials> = {};
    for (const id of ctx.log.sessions) {
      const s = state.data.sessions[id]!;
      attackerSessions[id] = {
        accessKeyId: id,
        secretAccessKey: s.secretAccessKey,
        sessionToken: s.sessionToken,
      };
    }
    return {
      truth,
      responderCredentials,
      leakedCredentials: def.leakedKey ? leaked : undefined,
      attackerSessions,
    };
  } finally {
    clients.destroy();
    state.clock.set(end);
    if (!wasFrozen) state.clock.resume();
  }
}
