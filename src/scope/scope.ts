import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ActionHistory, KIND, type PlanRecord } from '../actions/journal-view.js';
import type { CaseFolder } from '../case/case.js';
import { accountsReached, readOtherAccounts } from './other-accounts.js';
import { callerIdentity } from '../aws/identity.js';
import { enabledRegions } from '../aws/regions.js';
import type { CaseContext } from '../context.js';
import { compromiseCondition, type Investigation } from '../detect/investigate.js';
import { INVESTIGATION_FILE } from '../detect/save.js';
import { readInventory } from '../inventory/engine.js';
import { LISTERS } from '../inventory/listers/index.js';
import type { InventoryItem, ListerDef, Origin } from '../inventory/types.js';
import { blastRadiusOfScope, loadAttackerEvents, signerOf, type AttackerEvent } from '../iam/index.js';
import { STORE_FILE, openEventStore } from '../store/store.js';
import { coverageIncomplete, readLedger } from '../trail/coverage.js';
import { attributeAll } from './attribute.js';
import { sweep } from './checklist.js';
import { WriteIndex, loadWriteEvents } from './events.js';
import { liveSessions } from './sessions.js';
import { openToAttacker, type PersistenceItem, type ScopeDocument, type ScopeSummary } from './types.js';

/** The file scope writes at the case's top level (the latest run; each run is also kept as evidence). */
export const SCOPE_FILE = 'scope.json';

export interface ScopeOptions {
  /** Read only these regions (default: every enabled region). */
  regions?: string[];
  /** Listers to run (default: all; tests narrow it). */
  listers?: readonly ListerDef[];
  /** AWS calls in flight at once (default 32). */
  concurrency?: number;
  /** Role to assume in other accounts the compromise's sessions act in (their IAM feeds the blast radius). */
  accountRole?: string | undefined;
}

export interface ScopeResult {
  document: ScopeDocument;
  /** Something could not be read (exit 3). */
  partial: boolean;
  file: { path: string; sha256: string };
  /** Why attribution is weaker than it could be (no events collected, no investigation). */
  notes: string[];
  /** The blast radius calls for a higher severity than triage gave (journalled as `severity.raised`). */
  raised?: { from: string | null; to: 'P1' | 'P2'; reasons: string[] } | undefined;
}

function readInvestigation(dir: string): Investigation | undefined {
  const file = `${dir}/${INVESTIGATION_FILE}`;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Investigation) : undefined;
}

/**
 * Scope the incident from live account state: read every resource in every enabled region
 * (`src/inventory`), attribute each to the attacker, to before the incident, or to nobody known,
 * from the case's events and the investigation's attribution; sweep for every way back in
 * (`checklist.ts`) and every still-valid credential the compromise minted; write `scope.json`
 * into the case (and a copy as evidence, hashed) for the reports and for eradication.
 */
export async function scope(ctx: CaseContext, options: ScopeOptions = {}): Promise<ScopeResult> {
  const folder = ctx.case;
  folder.markPhase('scope', 'started');
  const notes: string[] = [];
  const identity = await callerIdentity(ctx.aws);
  const responderArn = folder.info.responder?.arn ?? identity.arn;
  const account = folder.info.account ?? identity.account;
  const regionInfo = options.regions
    ? { regions: options.regions, source: 'option' as const, disabled: [] }
    : await enabledRegions(ctx.aws);
  const inventory = await readInventory({
    pool: ctx.aws,
    account,
    regions: regionInfo.regions,
    disabledRegions: regionInfo.disabled ?? [],
    listers: options.listers ?? LISTERS,
    log: ctx.log,
    progress: ctx.progress,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });

  const investigation = readInvestigation(folder.dir);
  if (!investigation)
    notes.push(
      'no investigation in the case: nothing can be attributed to the attacker (run `tourniquet investigate` first)',
    );
  const storeFile = folder.path(STORE_FILE);
  const ledger = readLedger(folder.dir);
  const eventsComplete = ledger.length > 0 && !coverageIncomplete(ledger);
  if (!existsSync(storeFile))
    notes.push(
      'no events collected: attribution rests on creation dates only (run `tourniquet collect` first)',
    );
  else if (!eventsComplete)
    notes.push('the CloudTrail collection is not complete: resources without a creation date stay "unknown"');

  const now = ctx.clock.now();
  const window = investigation?.window ?? null;
  const attributionContext = {
    since: window?.since ?? null,
    eventsComplete,
    awareness: folder.info.awareness ?? now.toISOString(),
    responderArn,
    madeByCase: keysMadeByCase(folder),
  };
  let index = new WriteIndex([]);
  let sessions: Awaited<ReturnType<typeof liveSessions>> = [];
  let attackerEvents: AttackerEvent[] = [];
  let signer: string | undefined;
  if (existsSync(storeFile)) {
    const store = await openEventStore(storeFile, { readOnly: true });
    try {
      const condition = investigation ? compromiseCondition(investigation) : null;
      index = new WriteIndex(await loadWriteEvents(store, condition));
      sessions = await liveSessions(store, folder, investigation?.lineage ?? null, now);
      if (condition) attackerEvents = await loadAttackerEvents(store, condition);
      signer = await signerOf(store, investigation?.subjectKeys ?? []);
    } finally {
      store.close();
    }
  }
  const others = await readOtherAccounts({
    pool: ctx.aws,
    home: account,
    accounts: accountsReached(investigation?.lineage?.roots ?? [], account),
    accountRole: options.accountRole,
    clock: ctx.clock,
    sessionName: `tourniquet-${folder.info.id}`,
    // There: IAM (global) and the regions where the compromise's calls acted in that account.
    read: (other, pool) =>
      readInventory({
        pool,
        account: other,
        regions: index.regionsIn(other).filter((r) => regionInfo.regions.includes(r)),
        listers: options.listers ?? LISTERS,
        log: ctx.log,
        progress: ctx.progress,
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      }),
  });
  inventory.coverage.push(...others.coverage);
  attributeAll(inventory.items, index, attributionContext);
  const ourPolicies = containmentPolicies(folder);
  const sweepOf = (acct: string, items: InventoryItem[], idx: WriteIndex, extra: typeof sessions) =>
    sweep(
      {
        ...attributionContext,
        account: acct,
        responderArn,
        ourPolicies,
        items,
        index: idx,
        now: now.toISOString(),
      },
      extra,
    );
  const persistence = sweepOf(account, inventory.items, index, sessions);
  // Each other account on its own calls: its ids carry the account (a name may repeat across accounts).
  for (const other of [...new Set(others.items.map((i) => i.account))]) {
    const items = others.items.filter((i) => i.account === other);
    const idx = index.forAccount(other);
    attributeAll(items, idx, attributionContext);
    for (const p of sweepOf(other, items, idx, [])) persistence.push({ ...p, id: `${p.id}@${other}` });
  }
  markRestored(persistence, folder);
  const blast = await blastRadiusOfScope({
    pool: ctx.aws,
    account,
    items: inventory.items,
    coverage: inventory.coverage,
    caseSubject: folder.info.subject,
    signer,
    lineage: investigation?.lineage ?? null,
    live: new Set(sessions.map((s) => s.name)),
    events: attackerEvents,
    at: now.toISOString(),
    containment: ourPolicies,
    others: others.snapshots,
  });
  if (blast.notComputed) notes.push(`blast radius not computed: ${blast.notComputed}`);
  inventory.coverage.push(...blast.coverage);
  // The other accounts' resources join the inventory after the blast radius, which reads them
  // through their IAM snapshots.
  inventory.items.push(...others.items);

  const document: ScopeDocument = {
    schema: 1,
    generatedAt: now.toISOString(),
    account,
    window: window ? { since: window.since, until: window.until } : null,
    regions: {
      enabled: regionInfo.regions,
      source: regionInfo.source,
      disabled: regionInfo.disabled ?? [],
      ...('reason' in regionInfo && regionInfo.reason ? { reason: regionInfo.reason } : {}),
    },
    inventory: inventory.items,
    persistence,
    ...(blast.blastRadius ? { blastRadius: blast.blastRadius } : {}),
    coverage: inventory.coverage,
    summary: summarize(
      inventory.items,
      persistence,
      inventory.coverage.filter((c) => c.status === 'not-checked' || c.status === 'failed').length,
    ),
  };
  const file = await save(ctx, document);
  const raised = raiseSeverity(folder, blast.blastRadius?.raisers ?? []);
  folder.markPhase('scope', 'completed');
  return {
    raised,
    document,
    partial: document.summary.notChecked > 0 || regionInfo.source === 'fallback',
    file,
    notes,
  };
}

/**
 * The inline policies the case's containment put (deny-all, session revocation), as
 * `principal/policy`: read from the journal's applied steps, not from the policy's name, which an
 * attacker could copy.
 */
function containmentPolicies(folder: CaseFolder): Set<string> {
  const history = ActionHistory.of(folder);
  const out = new Set<string>();
  for (const plan of history.plans()) {
    for (const step of plan.steps) {
      const last = history.lastApply(step.id);
      const policy = last?.detail.policyName;
      if (last?.planId === plan.planId && typeof policy === 'string' && step.params.name)
        out.add(`${step.params.name}/${policy}`);
    }
  }
  return out;
}

/** The access keys the case's applied steps made (recovery's new key for the owner). */
function keysMadeByCase(folder: CaseFolder): Set<string> {
  const out = new Set<string>();
  for (const e of ActionHistory.of(folder).entries) {
    const id = (e.data as { detail?: { newAccessKeyId?: unknown } } | null)?.detail?.newAccessKeyId;
    if (e.kind === KIND.stepApplied && typeof id === 'string') out.add(id);
  }
  return out;
}

const LEVELS = ['P1', 'P2', 'P3', 'P4'];

/**
 * Triage rated the credential from its own rights and use; the blast radius can show more within
 * reach (administrator through escalation, another account's data). A higher level is journalled
 * (`severity.raised`) and the reports rate the incident at it.
 */
function raiseSeverity(
  folder: CaseFolder,
  raisers: { level: 'P1' | 'P2'; reason: string }[],
): ScopeResult['raised'] {
  if (raisers.length === 0) return undefined;
  const triage = ActionHistory.of(folder)
    .entries.filter((e) => e.kind === 'triage.result')
    .at(-1)?.data as { severity?: { level?: string } } | undefined;
  const from = triage?.severity?.level ?? null;
  const to = raisers.some((r) => r.level === 'P1') ? 'P1' : 'P2';
  if (from !== null && LEVELS.indexOf(from) <= LEVELS.indexOf(to)) return undefined;
  const reasons = raisers.filter((r) => r.level === to).map((r) => r.reason);
  folder.record('severity.raised', { from, to, reasons, by: 'scope (blast radius)' });
  return { from, to, reasons };
}

/**
 * The kinds eradication puts back in place rather than deletes: found again afterwards, they are
 * the restored resource, not a way in (a deleted kind found again was made again, and stays open).
 */
const RESTORED_IN_PLACE = new Set<string>([
  'role-trust',
  'policy-version',
  'bucket-policy',
  'bucket-acl',
  'secret-policy',
  'event-bus-policy',
  'lambda-env',
  'user-data',
  'logging-change',
]);

/**
 * Mark the attacker's changes a verified eradication plan of this case put back. The items a plan
 * acted on are the `eradicate.items` recorded just before it was made (journal order).
 */
function markRestored(persistence: PersistenceItem[], folder: CaseFolder): void {
  const history = ActionHistory.of(folder);
  const chosenFor = new Map<string, string[]>();
  let chosen: string[] = [];
  for (const e of history.entries) {
    if (e.kind === 'eradicate.items') chosen = (e.data as { acted?: string[] }).acted ?? [];
    else if (e.kind === KIND.planCreated && (e.data as PlanRecord).purpose === 'eradicate')
      chosenFor.set((e.data as PlanRecord).planId, chosen);
  }
  const restored = new Map<string, { planId: string; at: string }>();
  for (const e of history.entries) {
    const d = e.data as { planId?: string; verified?: boolean; at?: string };
    if (e.kind !== KIND.planApplied || !d.verified || !d.planId) continue;
    for (const id of chosenFor.get(d.planId) ?? []) restored.set(id, { planId: d.planId, at: d.at ?? e.at });
  }
  for (const p of persistence)
    if (p.attribution === 'attacker' && RESTORED_IN_PLACE.has(p.kind) && restored.has(p.id))
      p.restored = restored.get(p.id);
}

function summarize(items: InventoryItem[], persistence: PersistenceItem[], notChecked: number): ScopeSummary {
  const byOrigin: Record<Origin, number> = { attacker: 0, 'pre-existing': 0, unknown: 0 };
  let responder = 0;
  for (const i of items) {
    if (i.account === 'aws') continue;
    if (i.attribution?.byResponder) responder += 1;
    else byOrigin[i.attribution?.origin ?? 'unknown'] += 1;
  }
  const byKind: ScopeSummary['byKind'] = {};
  for (const p of persistence) {
    const k = (byKind[p.kind] ??= { attacker: 0, other: 0 });
    if (p.attribution === 'attacker') k.attacker += 1;
    else k.other += 1;
  }
  return {
    resources: items.filter((i) => i.account !== 'aws').length,
    byOrigin,
    responder,
    persistence: {
      attacker: persistence.filter(openToAttacker).length,
      restored: persistence.filter((p) => p.restored).length,
      preExisting: persistence.filter((p) => p.attribution === 'pre-existing').length,
      unknown: persistence.filter((p) => p.attribution === 'unknown').length,
    },
    byKind,
    notChecked,
  };
}

/** `scope.json` at the top (what readers use) and the same bytes as evidence, hashed and journalled. */
async function save(ctx: CaseContext, document: ScopeDocument): Promise<{ path: string; sha256: string }> {
  const text = JSON.stringify(document, null, 2) + '\n';
  const path = ctx.case.path(SCOPE_FILE);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  const stamp = document.generatedAt.replace(/[:.]/g, '-');
  await ctx.case.addEvidence(`scope/scope-${stamp}.json`, text, 'tourniquet scope');
  const sha256 = createHash('sha256').update(text).digest('hex');
  ctx.case.record('scope.saved', {
    file: SCOPE_FILE,
    sha256,
    resources: document.summary.resources,
    persistence: document.summary.persistence,
    notChecked: document.summary.notChecked,
  });
  return { path: SCOPE_FILE, sha256 };
}

/** The case's latest scope, for eradication and the reports (undefined before `tourniquet scope`). */
export function readScope(folder: { path(...parts: string[]): string }): ScopeDocument | undefined {
  const file = folder.path(SCOPE_FILE);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ScopeDocument;
}
