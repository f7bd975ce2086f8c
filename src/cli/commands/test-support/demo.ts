import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facts } from '../../../report/index.js';
import { openInChromium } from '../../../report/test-support/chromium.js';
import { expectOnePageBriefing } from '../../../report/test-support/print.js';
import { SimState, startSim, type RunningSim } from '../../../sim/index.js';
import type { Truth } from '../../../sim/scenarios/index.js';
import { demoCaseSecrets } from '../../../test-support/secrets.js';
import { main } from '../../main.js';
import { STATE_FILE, TRUTH_FILE } from '../demo-run.js';

// eslint-disable-next-line no-control-regex -- raw escape bytes in terminal output are the point
export const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** One `tourniquet demo --scenario NAME` run: its exit, terminal output and case files. */
export interface Demo {
  name: string;
  code: number;
  out: string;
  err: string;
  dir: string;
  /** Where the run's cases live (`TOURNIQUET_CASES`). */
  root: string;
  truth: Truth;
  facts: Facts;
  md: string;
  html: string;
  csv: string;
  status: string;
}

/** `tourniquet demo --scenario NAME` in this process, as a person would run it in a hurry (terminal output). */
export async function runDemo(name: string, root: string): Promise<Demo> {
  // Under TOURNIQUET_CASES, so commands run afterwards without --case find it.
  const dir = join(root, 'cases', name);
  let out = '';
  let err = '';
  // LookupEvents at 50 calls/s (the demo's account allows it): the checks are about what the
  // playbook finds and does, not AWS's pace, which test:package's demo and the collect tests keep.
  const code = await main(['demo', '--scenario', name, '--out', dir, '--lookup-rate', '50'], {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: { TOURNIQUET_CASES: join(root, 'cases') },
    cwd: root,
  });
  if (code !== 0) throw new Error(`tourniquet demo --scenario ${name} exited ${code}:\n${err}`);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    name,
    code,
    out,
    err,
    dir,
    root,
    truth: JSON.parse(read(TRUTH_FILE)) as Truth,
    facts: JSON.parse(read('facts.json')) as Facts,
    md: read('report.md'),
    html: read('report.html'),
    csv: read('timeline.csv'),
    status: (JSON.parse(read('case.json')) as { status: string }).status,
  };
}

/**
 * The file's demos, run side by side before its tests (most of a demo's time is LookupEvents'
 * 2 requests/s per region) and removed after them. One run per scenario feeds every check of the
 * file: the demo's own (`describeDemo`) and, through `fromDemo`, the eradication bar's.
 */
export function demoRuns(names: string[]): { get(name: string): Demo } {
  let root: string | undefined;
  const demos = new Map<string, Demo>();
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tq-demo-'));
    const results = await Promise.all(names.map(async (n) => [n, await runDemo(n, root!)] as const));
    for (const [n, d] of results) demos.set(n, d);
  }, 480_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  return {
    get(name) {
      const d = demos.get(name);
      if (!d) throw new Error(`no demo run of ${name} in this file`);
      return d;
    },
  };
}

/** The answer a credential gets from the account after the demo: `ok` or the error code. */
async function replay(
  sim: RunningSim,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
) {
  const ec2 = new EC2Client({
    region: 'us-east-1',
    endpoint: sim.endpoint,
    credentials: creds,
    maxAttempts: 1,
  });
  try {
    await ec2.send(new DescribeInstancesCommand({}));
    return 'ok';
  } catch (error) {
    return (error as { name?: string }).name ?? 'error';
  } finally {
    ec2.destroy();
  }
}

/**
 * Event ids CloudTrail made visible to anyone: management events (Event history) and the data
 * events a trail delivered to its bucket. A data event no selector asked for (e.g. PutObject on a
 * bucket without data-event logging) is recorded nowhere a responder can read.
 */
function recordedEventIds(stateFile: string, account: string): Set<string> {
  const state = SimState.load(stateFile);
  const acct = state.accountOrThrow(account);
  const ids = new Set<string>();
  for (const e of acct.cloudtrail.events as { eventID: string; managementEvent?: boolean }[])
    if (e.managementEvent !== false) ids.add(e.eventID);
  const s3 = acct.services.s3 as {
    buckets: Record<string, { objects: Record<string, { key: string; body: string }> }>;
  };
  for (const bucket of Object.values(s3.buckets))
    for (const o of Object.values(bucket.objects)) {
      if (!/AWSLogs\/.*\/CloudTrail\/.*\.json\.gz$/.test(o.key)) continue;
      const records = (
        JSON.parse(gunzipSync(Buffer.from(o.body, 'base64')).toString('utf8')) as {
          Records: { eventID: string }[];
        }
      ).Records;
      for (const r of records) ids.add(r.eventID);
    }
  return ids;
}

const attackerClasses = (t: Truth, recorded: Set<string>) => [
  ...new Set(t.attackerEvents.filter((e) => recorded.has(e.eventId)).map((e) => e.eventName)),
];
const attackerRegions = (t: Truth) => [...new Set(t.attackerEvents.map((e) => e.region))];

/**
 * What every scenario's demo must show: the leaked credential and its derived sessions refused
 * afterwards (replayed against the account as the demo left it) while the responder still works;
 * every recorded attacker action, region and address in the report, the cost within 1%; a
 * terminal without raw escape bytes; no secret of the account in the case; an executive briefing
 * that prints on one A4 page. The hostile-strings demo's report also opens in headless Chromium and executes nothing.
 */
export function describeDemo(name: string, demos: { get(name: string): Demo }): void {
  describe(`tourniquet demo --scenario ${name}`, () => {
    it('runs the playbook, contains the leaked credential and every derived session (replayed against the account)', async () => {
      const d = demos.get(name);
      expect(d.code, d.err).toBe(0);
      // Contained, and eradicated where the attacker left something behind (respond --yes does both).
      expect(['contained', 'eradicated']).toContain(d.status);
      // The account as the demo left it, served again: the attacker's credentials are refused.
      const state = SimState.load(join(d.dir, STATE_FILE));
      const sim = await startSim({ port: 0, state });
      try {
        const victim = state.accountOrThrow(d.truth.accountId);
        const attacker: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }[] = [];
        if (d.truth.leakedAccessKeyId) {
          const key = victim.iam.accessKeys[d.truth.leakedAccessKeyId]!;
          expect(key.status).toBe('Inactive');
          attacker.push({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey });
        }
        for (const s of d.truth.derivedSessions) {
          const session = state.data.sessions[s.accessKeyId]!;
          attacker.push({
            accessKeyId: s.accessKeyId,
            secretAccessKey: session.secretAccessKey,
            sessionToken: session.sessionToken,
          });
        }
        for (const creds of attacker) {
          const answer = await replay(sim, creds);
          expect([creds.accessKeyId, answer]).toEqual([
            creds.accessKeyId,
            expect.stringMatching(/^(UnauthorizedOperation|AuthFailure|InvalidClientTokenId|AccessDenied)/),
          ]);
        }
        // Control: the responder's own credentials still work (the demo never locked us out).
        const responder = Object.values(victim.iam.accessKeys).find(
          (k) => k.userName === 'security-responder',
        )!;
        expect(
          await replay(sim, {
            accessKeyId: responder.accessKeyId,
            secretAccessKey: responder.secretAccessKey,
          }),
        ).toBe('ok');
      } finally {
        await sim.stop();
      }
    });

    it('its report names every recorded attacker action, region and address of the truth file, and the cost within 1%', () => {
      const d = demos.get(name);
      const t = d.truth;
      if (t.attackerEvents.length === 0) {
        expect(d.md).toContain('no attacker activity was found');
        expect(d.facts.timeline).toEqual([]);
        return;
      }
      const recorded = recordedEventIds(join(d.dir, STATE_FILE), t.accountId);
      expect(recorded.size).toBeGreaterThan(0);
      for (const action of attackerClasses(t, recorded)) expect(d.md, action).toContain(action);
      for (const region of attackerRegions(t)) expect(d.md, region).toContain(region);
      for (const ip of t.attacker.ips) expect(d.md, ip).toContain(ip);
      // …and no other address: the owner's calls with the same key inside the window are left out.
      const listed = d.facts.attackerIps as string[];
      expect(listed.filter((ip) => !t.attacker.ips.includes(ip) && !ip.endsWith('.amazonaws.com'))).toEqual(
        [],
      );
      // The truth counts instance-hours to the scenario's end; the report to when it was written
      // (instances keep running until someone eradicates them): the minutes between are added.
      const cost = d.facts.cost as {
        totalUsd: number;
        asOf: string;
        models: { invocations: number; lowUsd: number; highUsd: number };
      };
      const lateHours = (Date.parse(cost.asOf) - Date.parse(t.cost.asOf)) / 3_600_000;
      const late = t.cost.instances.reduce((sum, i) => sum + i.usdPerHour * lateHours, 0);
      const instances = Math.round(t.cost.instances.reduce((sum, i) => sum + i.usd, 0) * 100) / 100;
      expect(cost.totalUsd).toBeGreaterThanOrEqual(instances * 0.99);
      expect(cost.totalUsd).toBeLessThanOrEqual(instances * 1.01 + late + 0.005);
      // Model calls: CloudTrail has no token counts, so the estimate is a stated bound that must
      // hold the truth's tokens × prices, from exactly the truth's number of calls.
      const models = t.cost.models.reduce((sum, m) => sum + m.usd, 0);
      expect(cost.models.invocations).toBe(t.cost.models.reduce((n, m) => n + m.invocations, 0));
      expect(cost.models.lowUsd).toBeLessThanOrEqual(models);
      expect(cost.models.highUsd).toBeGreaterThanOrEqual(models);
    });

    it('prints a terminal summary without raw escape bytes', () => {
      const d = demos.get(name);
      expect(d.out).toContain('Ground truth of the scenario');
      expect(d.out).not.toMatch(RAW_CONTROL);
      // The progress line's own erase sequence (\r ESC[2K) is ours; nothing else may get through.
      // eslint-disable-next-line no-control-regex -- removing exactly that sequence
      expect(d.err.replace(/\r\u001b\[2K/g, '')).not.toMatch(RAW_CONTROL);
    });

    it('keeps no secret key, password or session token of the account in any file of the case', () => {
      const d = demos.get(name);
      // The simulated account's own state file sits beside the case (the tests replay against it).
      const { secrets, leaks } = demoCaseSecrets(d.dir);
      expect(secrets.size).toBeGreaterThanOrEqual(2);
      expect(leaks).toEqual([]);
      for (const s of secrets) expect(d.out.includes(s) || d.err.includes(s)).toBe(false);
    });

    it('its executive briefing (report --kind executive --format html) prints on one A4 page in Chromium', async () => {
      const d = demos.get(name);
      let html = '';
      let err = '';
      const code = await main(['report', '--case', d.dir, '--kind', 'executive', '--format', 'html'], {
        stdout: { write: (s: string) => (html += s) },
        stderr: { write: (s: string) => (err += s) },
        env: { TOURNIQUET_CASES: join(d.root, 'cases') },
        cwd: d.root,
      });
      // Exit 3 is partial coverage: the report's warning names it, the case's coverage.json says where.
      expect(code, err).toBe(0);
      await expectOnePageBriefing(html);
    }, 60_000);

    if (name === 'hostile-strings')
      it('yields an HTML report that executes nothing in headless Chromium and a defused CSV', async () => {
        const d = demos.get(name);
        expect(d.html).toContain('&lt;script');
        await openInChromium(d.html, async (page, watch) => {
          expect(watch.dialogs).toEqual([]);
          expect(watch.pageErrors).toEqual([]);
          expect(watch.requests).toEqual([watch.url]);
          expect(await page.locator('script, img, iframe').count()).toBe(0);
        });
        expect(d.csv).not.toMatch(/(^|,)"?[=+@-]/m);
        expect(d.csv).not.toMatch(RAW_CONTROL);
      }, 60_000);
  });
}
