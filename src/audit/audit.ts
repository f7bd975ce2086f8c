import { enabledRegions } from '../aws/regions.js';
import type { ClientPool } from '../aws/pool.js';
import { callerIdentity } from '../aws/identity.js';
import type { Context } from '../context.js';
import { DAY, type CheckDef } from './check.js';
import { GUARDRAIL_CHECKS } from './checks-guardrails.js';
import { IDENTITY_CHECKS, keyLastActivity } from './checks-identity.js';
import { LOGGING_CHECKS } from './checks-logging.js';
import type { AuditFacts } from './facts.js';
import { gatherFacts } from './gather.js';
import { MONITOR_CHECKS } from './monitors.js';
import type { AuditMetrics, AuditReport, CheckResult } from './types.js';

/** Every check, in the order the report lists them. */
export const CHECKS: CheckDef[] = [
  ...IDENTITY_CHECKS,
  ...LOGGING_CHECKS,
  ...MONITOR_CHECKS,
  ...GUARDRAIL_CHECKS,
];

/** Judge the facts with every check. */
export function judgeAll(facts: AuditFacts, checks: CheckDef[] = CHECKS): CheckResult[] {
  return checks.map((c) => {
    const v = c.judge(facts);
    return {
      id: c.id,
      title: c.title,
      area: c.area,
      status: v.status,
      ...(v.why ? { why: v.why } : {}),
      evidence: v.evidence,
      fix: c.fix,
      cis: c.cis,
    };
  });
}

/** The tracked numbers, from the credential report and the verdicts. */
export function metricsOf(facts: AuditFacts, checks: CheckResult[]): AuditMetrics {
  const count = (s: CheckResult['status']) => checks.filter((c) => c.status === s).length;
  const verdicts = {
    checksPassed: count('pass'),
    checksFailed: count('fail'),
    checksNotChecked: count('not-checked'),
  };
  if (!facts.credentialReport.ok)
    return {
      users: null,
      activeKeys: null,
      maxActiveKeysPerUser: null,
      oldestActiveKeyAgeDays: null,
      activeKeysOlderThan90Days: null,
      activeKeysUnused90Days: null,
      consoleUsers: null,
      consoleUsersWithoutMfa: null,
      consoleUsersWithoutMfaPercent: null,
      ...verdicts,
    };
  const now = facts.now.getTime();
  const users = facts.credentialReport.value.filter((r) => !r.root);
  const keys = users.flatMap((u) => u.keys.filter((k) => k.active));
  const ages = keys.map((k) => (k.lastRotated ? Math.floor((now - Date.parse(k.lastRotated)) / DAY) : 0));
  const consoleUsers = users.filter((u) => u.passwordEnabled);
  const withoutMfa = consoleUsers.filter((u) => !u.mfaActive).length;
  return {
    users: users.length,
    activeKeys: keys.length,
    maxActiveKeysPerUser: Math.max(0, ...users.map((u) => u.keys.filter((k) => k.active).length)),
    oldestActiveKeyAgeDays: ages.length ? Math.max(...ages) : 0,
    activeKeysOlderThan90Days: ages.filter((a) => a > 90).length,
    activeKeysUnused90Days: keys.filter(
      (k) => Date.parse(keyLastActivity(k) ?? '1970-01-01') < now - 90 * DAY,
    ).length,
    consoleUsers: consoleUsers.length,
    consoleUsersWithoutMfa: withoutMfa,
    consoleUsersWithoutMfaPercent: consoleUsers.length
      ? Math.round((1000 * withoutMfa) / consoleUsers.length) / 10
      : 0,
    ...verdicts,
  };
}

/** Audit the account the pool's credentials belong to: read, judge, measure. Reads only. */
export async function audit(
  ctx: Context,
  o: { pool: ClientPool; regions?: string[] | undefined },
): Promise<AuditReport> {
  const me = await callerIdentity(o.pool);
  const regions: { regions: string[]; source: string; reason?: string | undefined } = o.regions?.length
    ? { regions: o.regions, source: '--only-region' }
    : await enabledRegions(o.pool);
  const task = ctx.progress.start('Reading the account', 6 + regions.regions.length);
  const facts = await gatherFacts({
    pool: o.pool,
    account: me.account,
    regions: regions.regions,
    now: ctx.clock.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onRead: (what) => task.tick(1, what),
  });
  task.done();
  const checks = judgeAll(facts);
  return {
    account: me.account,
    responder: me.arn,
    at: facts.now.toISOString(),
    regions: {
      list: regions.regions,
      source: regions.source,
      ...(regions.reason ? { reason: regions.reason } : {}),
    },
    checks,
    metrics: metricsOf(facts, checks),
  };
}
