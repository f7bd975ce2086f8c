import type { SimState } from '../state.js';
import { scanFindings } from '../services/guardduty/detect.js';
import type { GuardDutyState } from '../services/guardduty/model.js';
import { bedrockState } from '../services/bedrock/index.js';
import { modelUsage, type ModelUsage } from '../services/bedrock/models.js';
import { costOf, hourlyPrice, instanceUsage } from '../services/costexplorer/usage.js';
import type { AttackLog, CapturedEvent } from './engine.js';
import { messagingUsage, type EmailUsage, type SmsUsage } from './messaging.js';
import { rdsUsage, type RdsUsage } from './rds-usage.js';
import type { CleanCheck, ScenarioDef, TruthPersistence, TruthResource } from './types.js';

/** The ground truth of a scenario run (`truth.json`). */
export interface Truth {
  scenario: string;
  seed: string;
  accountId: string;
  historyStart: string;
  attackStart: string | null;
  end: string;
  /** The key that leaked (null when the entry point was a console password). */
  leakedAccessKeyId: string | null;
  compromisedUser: string;
  attacker: { ips: string[]; userAgents: string[] };
  attackerEventIds: string[];
  attackerEvents: CapturedEvent[];
  resourcesCreated: TruthResource[];
  resourcesModified: TruthResource[];
  /** Every way back in the attacker left: its kind (scope's), resource, region and the events that made it. */
  persistence: TruthPersistence[];
  /** Legitimate ways in made before the compromise (scope must call them pre-existing). */
  preExisting: { kind: string; resource: string; detail: string }[];
  dataTouched: { kind: string; resource: string; detail?: string }[];
  derivedSessions: {
    accessKeyId: string;
    kind: string;
    accountId: string;
    arn: string;
    sourceAccessKeyId: string;
    issuedAt: string;
    expiration: string;
  }[];
  cost: {
    usd: number;
    asOf: string;
    priceTables: string[];
    instances: {
      instanceId: string;
      region: string;
      instanceType: string;
      hours: number;
      usdPerHour: number;
      usd: number;
    }[];
    /** The attacker's model calls by region and model, with their tokens (`data/bedrock-prices.json`). */
    models: ModelUsage[];
    /** The attacker's SES mail and SNS texts (`data/messaging-prices.json`). */
    email: EmailUsage[];
    sms: SmsUsage[];
    /** The attacker's RDS snapshots' storage, cross-region copies and exports (`data/rds-prices.json`). */
    rds: RdsUsage[];
  };
  guardDutyFindings: { id: string; type: string; region: string; severity: number }[];
  expectedCleanState: CleanCheck[];
}

function sessionArn(s: SimState['data']['sessions'][string]): string {
  if (s.kind === 'assumed-role')
    return `arn:aws:sts::${s.accountId}:assumed-role/${s.roleName ?? ''}/${s.sessionName ?? ''}`;
  if (s.kind === 'federated-user')
    return `arn:aws:sts::${s.accountId}:federated-user/${s.federatedName ?? ''}`;
  return `arn:aws:iam::${s.accountId}:user/${s.userName ?? ''}`;
}

function unique<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(key(i)) ? false : (seen.add(key(i)), true)));
}

/** Assemble the truth from the attack log and the account's state at the end of the history. */
export function buildTruth(input: {
  sim: SimState;
  def: ScenarioDef;
  seed: string;
  log: AttackLog;
  historyStart: number;
  attackStart: number | null;
  end: number;
  leakedAccessKeyId: string | null;
  compromisedUser: string;
  accountId: string;
  preExisting: Truth['preExisting'];
}): Truth {
  const { sim, def, log, end } = input;
  scanFindings(sim);
  const notes = log.notes;
  const created = unique(
    notes.flatMap((n) => n.created ?? []),
    (r) => `${r.type}|${r.id}`,
  );
  const instanceIds = new Set(created.filter((r) => r.type === 'AWS::EC2::Instance').map((r) => r.id));
  const usage = instanceUsage(sim, input.accountId, end).filter((u) => instanceIds.has(u.instanceId));
  const instances = usage.map((u) => {
    const usdPerHour = hourlyPrice(u.instanceType, u.region);
    return {
      instanceId: u.instanceId,
      region: u.region,
      instanceType: u.instanceType,
      hours: (u.end - u.start) / 3_600_000,
      usdPerHour,
      usd: costOf([u]),
    };
  });
  const gd = sim.account(input.accountId)?.services.guardduty as GuardDutyState | undefined;
  const attackerKeys = new Set(log.keysUsed);
  const attackerIps = new Set(def.attackers.map((a) => a.ip));
  const models = modelUsage(
    bedrockState(sim, input.accountId).invocations.filter(
      (c) =>
        (attackerKeys.has(c.accessKeyId) || log.sessions.includes(c.accessKeyId)) &&
        attackerIps.has(c.sourceIp),
    ),
  );
  const messages = messagingUsage(
    sim,
    input.accountId,
    (m) =>
      (attackerKeys.has(m.accessKeyId) || log.sessions.includes(m.accessKeyId)) &&
      attackerIps.has(m.sourceIp),
  );
  const rds = rdsUsage(
    sim,
    input.accountId,
    new Set(created.filter((r) => r.type === 'AWS::RDS::DBSnapshot').map((r) => `${r.region}/${r.id}`)),
    end,
  );
  const messagesUsd =
    messages.email.reduce((a, e) => a + e.usd, 0) + messages.sms.reduce((a, t) => a + t.usd, 0);
  const findings = Object.entries(gd?.detectors ?? {}).flatMap(([region, d]) =>
    d.findings
      .filter((f) => {
        const key =
          (f.resource as { accessKeyDetails?: { accessKeyId?: string } }).accessKeyDetails?.accessKeyId ?? '';
        const instance =
          (f.resource as { instanceDetails?: { instanceId?: string } }).instanceDetails?.instanceId ?? '';
        const action = (
          f.service as { action?: { awsApiCallAction?: { remoteIpDetails?: { ipAddressV4?: string } } } }
        ).action;
        const ip = action?.awsApiCallAction?.remoteIpDetails?.ipAddressV4 ?? '';
        return (
          instanceIds.has(instance) ||
          (attackerKeys.has(key) && def.attackers.some((a) => a.ip === ip)) ||
          log.sessions.includes(key)
        );
      })
      .map((f) => ({ id: f.id, type: f.type, region, severity: Number(f.severity) })),
  );
  return {
    scenario: def.name,
    seed: input.seed,
    accountId: input.accountId,
    historyStart: new Date(input.historyStart).toISOString(),
    attackStart: input.attackStart === null ? null : new Date(input.attackStart).toISOString(),
    end: new Date(end).toISOString(),
    leakedAccessKeyId: input.leakedAccessKeyId,
    compromisedUser: input.compromisedUser,
    attacker: {
      ips: [...new Set(def.attackers.map((a) => a.ip))],
      userAgents: [...new Set(def.attackers.map((a) => a.userAgent))],
    },
    attackerEventIds: log.events.map((e) => e.eventId),
    attackerEvents: log.events,
    resourcesCreated: created,
    resourcesModified: unique(
      notes.flatMap((n) => n.modified ?? []),
      (r) => `${r.type}|${r.id}|${r.detail ?? ''}`,
    ),
    persistence: notes.flatMap((n) => n.persistence ?? []),
    preExisting: input.preExisting,
    dataTouched: unique(
      notes.flatMap((n) => n.dataTouched ?? []),
      (d) => `${d.kind}|${d.resource}`,
    ),
    derivedSessions: log.sessions.map((id) => {
      const s = sim.data.sessions[id]!;
      return {
        accessKeyId: id,
        kind: s.kind,
        accountId: s.accountId,
        arn: sessionArn(s),
        sourceAccessKeyId: s.sourceAccessKeyId,
        issuedAt: s.issuedAt,
        expiration: s.expiration,
      };
    }),
    cost: {
      usd:
        Math.round(
          (instances.reduce((a, i) => a + i.usd, 0) +
            models.reduce((a, m) => a + m.usd, 0) +
            messagesUsd +
            rds.reduce((a, r) => a + r.usd, 0)) *
            100,
        ) / 100,
      asOf: new Date(end).toISOString(),
      priceTables: [
        'data/ec2-prices.json',
        'data/ec2-extra-prices.json',
        'data/bedrock-prices.json',
        'data/messaging-prices.json',
        'data/rds-prices.json',
      ],
      instances,
      models,
      ...messages,
      rds,
    },
    guardDutyFindings: findings,
    expectedCleanState: unique(
      notes.flatMap((n) => n.clean ?? []),
      (c) => JSON.stringify(c),
    ),
  };
}
