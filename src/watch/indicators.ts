import { existsSync, readFileSync } from 'node:fs';
import { ActionHistory } from '../actions/journal-view.js';
import type { CaseFolder } from '../case/case.js';
import { FROM_EVENTS, type EventQuery } from '../detect/events.js';
import { compromiseCondition, type Investigation } from '../detect/investigate.js';
import { lineageOf } from '../detect/lineage.js';
import { INVESTIGATION_FILE } from '../detect/save.js';

/** What the watch looks for, from the case: who the attacker was and what was removed. */
export interface Indicators {
  /** The compromised credential and every credential derived from it (lineage). */
  keys: string[];
  /** Addresses the attacker called from (never the owner's). */
  ips: string[];
  /** User agents only the attacker used. */
  userAgents: string[];
  /** Names of what eradication removed: a write naming one again is a re-creation. */
  eradicated: { name: string; step: string }[];
  /** What could not be derived, said in the output. */
  notes: string[];
}

const IP = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]+:[0-9a-f:]*$/i;

/** The params of a removal that name the thing removed (re-created under the same name). */
const NAME_PARAMS = [
  'userName',
  'roleName',
  'functionName',
  'keyName',
  'bucket',
  'stackName',
  'groupId',
  'accessKeyId',
];

function readInvestigation(folder: CaseFolder): Investigation | undefined {
  const file = folder.path(INVESTIGATION_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Investigation;
}

/** What eradication removed in this case (applied, not undone), by name. */
export function eradicatedNames(folder: CaseFolder): { name: string; step: string }[] {
  const history = ActionHistory.of(folder);
  const out: { name: string; step: string }[] = [];
  for (const plan of history.plans('eradicate')) {
    for (const step of plan.steps) {
      const last = history.lastApply(step.id);
      if (!last || last.planId !== plan.planId || last.detail.removed !== true) continue;
      for (const param of NAME_PARAMS) {
        const name = step.params[param];
        if (name && !out.some((o) => o.name === name)) out.push({ name, step: step.id });
      }
      // An identity provider comes back under the same host name.
      const host = /oidc-provider\/(.+)$/.exec(step.params.arn ?? '')?.[1];
      if (host && !out.some((o) => o.name === host)) out.push({ name: host, step: step.id });
    }
  }
  return out;
}

/**
 * The watch's indicators, computed again at each poll: the lineage grows when the attacker
 * derives new credentials, and eradication may have run since the watch started.
 */
export async function watchIndicators(folder: CaseFolder, store: EventQuery): Promise<Indicators> {
  const notes: string[] = [];
  const inv = readInvestigation(folder);
  const subjectKeys = inv?.subjectKeys.length
    ? inv.subjectKeys
    : [folder.info.subject?.accessKeyId].filter((k): k is string => Boolean(k));
  if (!subjectKeys.length)
    notes.push('no compromised access key in the case: calls by the credential are not watched');
  const lineage = subjectKeys.length ? await lineageOf(store, subjectKeys) : null;
  const keys = lineage?.keys ?? subjectKeys;
  const condition = inv ? compromiseCondition(inv) : null;
  let ips: string[] = [];
  let userAgents: string[] = [];
  if (condition) {
    const rows = await store.query<{ ip: string | null; ua: string | null }>(
      `SELECT DISTINCT e.sourceipaddress AS ip, e.useragent AS ua FROM ${FROM_EVENTS} WHERE ${condition.sql}`,
      condition.params,
    );
    const owner = new Set(inv?.attribution?.ownerAddresses ?? []);
    ips = [...new Set(rows.map((r) => r.ip ?? ''))].filter((ip) => IP.test(ip) && !owner.has(ip)).sort();
    // A user agent the owner also used (from their own addresses) says nothing about the attacker.
    const ownerAgents = owner.size
      ? (
          await store.query<{ ua: string }>(
            `SELECT DISTINCT e.useragent AS ua FROM ${FROM_EVENTS} WHERE e.sourceipaddress IN (${[...owner].map(() => '?').join(', ')})`,
            [...owner],
          )
        ).map((r) => r.ua)
      : [];
    userAgents = [...new Set(rows.map((r) => r.ua ?? ''))]
      .filter((ua) => ua !== '' && !ownerAgents.includes(ua) && !/amazonaws\.com$|^AWS Internal$/.test(ua))
      .sort();
  } else
    notes.push('no investigation with attributed calls: attacker addresses and user agents are not watched');
  return { keys, ips, userAgents, eradicated: eradicatedNames(folder), notes };
}
