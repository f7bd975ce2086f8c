import {
  DeleteFilterCommand,
  DeleteIPSetCommand,
  DeleteThreatIntelSetCommand,
  GetFilterCommand,
  GetIPSetCommand,
  GetThreatIntelSetCommand,
  GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import type { ClientPool } from '../../aws/pool.js';
import type { ActionDef, StepParams } from '../action.js';
import { asJson, removal } from './declare.js';

const gd = (pool: ClientPool, p: StepParams) => pool.get(GuardDutyClient, p.region);

/** The region's detector (GuardDuty has at most one per account and region). */
async function detectorOf(pool: ClientPool, p: StepParams): Promise<string | undefined> {
  if (p.detectorId) return p.detectorId;
  return (await gd(pool, p).send(new ListDetectorsCommand({}))).DetectorIds?.[0];
}

/** GuardDuty answers a missing filter, list or detector with BadRequestException ("… is not valid"). */
async function unlessMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === 'BadRequestException' && /not valid|not owned/.test(e.message ?? '')) return undefined;
    throw error;
  }
}

/** One kind of GuardDuty object the attacker can add to quiet or steer detection. */
interface GuardDutyKind {
  name: string;
  what: string;
  /** The step parameter that names it. */
  param: 'filterName' | 'ipSetId' | 'threatIntelSetId';
  /** The API's word for it (GetFilter, GetIPSet, GetThreatIntelSet); the evidence file is `<op>.json`. */
  op: 'Filter' | 'IPSet' | 'ThreatIntelSet';
  get: (client: GuardDutyClient, detectorId: string, id: string) => Promise<object>;
  remove: (client: GuardDutyClient, detectorId: string, id: string) => Promise<unknown>;
  describe: (state: Record<string, unknown>) => string;
}

interface Definition {
  detectorId: string;
  definition: Record<string, unknown>;
}

function guardDutyRemoval(k: GuardDutyKind): ActionDef {
  return removal<Definition>({
    name: k.name,
    summary: `keep its definition, then delete a GuardDuty ${k.what} the attacker added`,
    irreversibleBecause: `a deleted ${k.what} can be re-created from the kept definition`,
    target: (p) => `${p.region ?? '?'}/${p[k.param] ?? '?'}`,
    async read(pool, p) {
      const detectorId = await detectorOf(pool, p);
      if (!detectorId) return undefined;
      const out = await unlessMissing(() => k.get(gd(pool, p), detectorId, p[k.param] ?? ''));
      if (!out) return undefined;
      const { $metadata: _m, ...definition } = out as Record<string, unknown>;
      return { state: { detectorId, definition } };
    },
    describe: (s) => `keep the definition, delete ${k.describe(s.definition)}`,
    preserve: (_pool, p, s, context) =>
      context.keep(`${k.op}.json`, asJson(s), `guardduty:Get${k.op} ${p.region}`),
    async remove(pool, p, s) {
      await unlessMissing(() => k.remove(gd(pool, p), s.detectorId, p[k.param] ?? ''));
    },
  });
}

const str = (v: unknown) => (typeof v === 'string' ? v : '?');

/** Delete a findings filter (an ARCHIVE one is a suppression rule: it hides what it matches). */
export const deleteGuardDutyFilter = guardDutyRemoval({
  name: 'delete-guardduty-filter',
  what: 'filter (suppression rule)',
  param: 'filterName',
  op: 'Filter',
  get: (c, DetectorId, FilterName) => c.send(new GetFilterCommand({ DetectorId, FilterName })),
  remove: (c, DetectorId, FilterName) => c.send(new DeleteFilterCommand({ DetectorId, FilterName })),
  describe: (f) => `filter ${str(f.Name)} (action ${str(f.Action)})`,
});

/** Delete a trusted IP list: GuardDuty raises no finding for the addresses on it. */
export const deleteGuardDutyIpSet = guardDutyRemoval({
  name: 'delete-guardduty-ip-set',
  what: 'trusted IP list',
  param: 'ipSetId',
  op: 'IPSet',
  get: (c, DetectorId, IpSetId) => c.send(new GetIPSetCommand({ DetectorId, IpSetId })),
  remove: (c, DetectorId, IpSetId) => c.send(new DeleteIPSetCommand({ DetectorId, IpSetId })),
  describe: (s) => `trusted IP list ${str(s.Name)} (${str(s.Location)}, ${str(s.Status)})`,
});

/** Delete a threat intel set the attacker added (an unreviewed input to detection). */
export const deleteGuardDutyThreatIntelSet = guardDutyRemoval({
  name: 'delete-guardduty-threat-intel-set',
  what: 'threat intel set',
  param: 'threatIntelSetId',
  op: 'ThreatIntelSet',
  get: (c, DetectorId, ThreatIntelSetId) =>
    c.send(new GetThreatIntelSetCommand({ DetectorId, ThreatIntelSetId })),
  remove: (c, DetectorId, ThreatIntelSetId) =>
    c.send(new DeleteThreatIntelSetCommand({ DetectorId, ThreatIntelSetId })),
  describe: (s) => `threat intel set ${str(s.Name)} (${str(s.Location)}, ${str(s.Status)})`,
});
