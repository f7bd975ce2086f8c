import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardDutyEvents, writeScenarioAlerts } from '../../sim/alerts/index.js';
import { CreateDetectorCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { createUserWithKey, SimClock, startSim, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import { loadScenario, type LoadedScenario } from '../../sim/scenarios/index.js';
import { runAws, sdkConfig, type Creds } from '../../sim/test-support/aws.js';
import { instanceRoleSession } from '../../sim/test-support/instance-role.js';
import { main } from '../main.js';

/**
 * `triage --from` and `respond --from` on the alerts the simulated account produces for the
 * cryptomining scenario, as `tourniquet sim --alerts` writes them: its GuardDuty findings
 * (EventBridge events, and `aws guardduty get-findings` output from the official CLI), AWS's
 * response to the exposed key (the Health event, and the quarantine attachment as `aws cloudtrail
 * lookup-events` prints it), and a Cost Anomaly Detection alert. Each must open the case of the
 * leaked key (or its user).
 */

// eslint-disable-next-line no-control-regex -- raw escape bytes in terminal output are the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

let sim: RunningSim;
let loaded: LoadedScenario;
let responder: Creds;
let dir: string;
const files: Record<string, string> = {};

function write(name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  files[name] = file;
  return file;
}

beforeAll(async () => {
  sim = await startSim({ port: 0, seed: 'alerts', lookupEventsPerSecond: 20 });
  loaded = await loadScenario(sim, 'cryptomining', { seed: 7 });
  responder = loaded.responderCredentials;
  dir = mkdtempSync(join(tmpdir(), 'tq-alerts-'));
  // What `tourniquet sim --scenario cryptomining --alerts DIR` writes.
  const written = writeScenarioAlerts(sim.state, loaded.truth, join(dir, 'alerts'));
  const named = (pattern: RegExp) => written.find((f) => pattern.test(f))!;
  files['bitcointool.json'] = named(/guardduty-\d+-CryptoCurrency-EC2-BitcoinTool-B-DNS\.json$/);
  files['health.json'] = named(/health-credentials-exposed\.json$/);
  files['cost-anomaly.json'] = named(/cost-anomaly\.json$/);
  expect(written.map((f) => basename(f))).toContain('quarantine-attached.cloudtrail.json');
  // The official AWS CLI's own output of the Discovery finding (PascalCase members)...
  const discovery = (
    JSON.parse(readFileSync(named(/Discovery-IAMUser-AnomalousBehavior\.json$/), 'utf8')) as {
      detail: { region: string; id: string };
    }
  ).detail;
  const detectors = await runAws(sim, responder, ['guardduty', 'list-detectors'], discovery.region);
  const detectorId = (JSON.parse(detectors.stdout) as { DetectorIds: string[] }).DetectorIds[0]!;
  const found = await runAws(
    sim,
    responder,
    ['guardduty', 'get-findings', '--detector-id', detectorId, '--finding-ids', discovery.id],
    discovery.region,
  );
  expect(found.code, found.stderr).toBe(0);
  write('discovery-cli.json', found.stdout);
  // ...and of the quarantine attachment AWS made when it found the key in public.
  const quarantine = await runAws(sim, responder, [
    'cloudtrail',
    'lookup-events',
    '--lookup-attributes',
    'AttributeKey=EventName,AttributeValue=AttachUserPolicy',
    '--max-results',
    '5',
  ]);
  expect(quarantine.code, quarantine.stderr).toBe(0);
  write('quarantine-lookup.json', quarantine.stdout);
});
afterAll(async () => {
  await sim.stop();
});

/** Run the CLI in-process as the responder, with `stdin` as standard input. */
function cli(args: string[], stdin?: string) {
  return cliOn(sim, responder, args, stdin);
}

async function cliOn(account: RunningSim, as: Creds, args: string[], stdin?: string, terminal = false) {
  let out = '';
  let err = '';
  const cwd = dir;
  const env = {
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: as.accessKeyId,
    AWS_SECRET_ACCESS_KEY: as.secretAccessKey,
    AWS_CONFIG_FILE: join(cwd, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-credentials'),
    TOURNIQUET_CASES: join(cwd, 'cases'),
    // The account allows 20 LookupEvents calls a second; AWS's pace is not what this tests.
    TOURNIQUET_LOOKUP_RATE: '20',
  };
  const saved = { ...process.env };
  // The SDK's default credential chain reads the process environment.
  Object.assign(process.env, env);
  delete process.env.AWS_SESSION_TOKEN;
  try {
    const code = await main(
      [...args, '--endpoint-url', account.endpoint, '--region', 'us-east-1', ...(terminal ? [] : ['--json'])],
      {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (err += s) },
        ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
        env: { ...process.env, ...env },
        cwd,
      },
    );
    return { code, out, err, json: out && !terminal ? (JSON.parse(out) as TriageJson) : undefined };
  } finally {
    process.env = saved;
  }
}

interface TriageJson {
  dir: string;
  case: { subject: { input: string }; awareness: string };
  alert: { source: string; subject: string; followed: string | null; awareness: string | null };
  triage: { quarantine: { attached: string[] } | null; resolved: Record<string, unknown> };
}

function journalKinds(caseDir: string): { kind: string; data: Record<string, unknown> }[] {
  return readFileSync(join(caseDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> });
}

describe('triage --from on the alerts of the cryptomining scenario', () => {
  it('follows a GuardDuty EC2 finding to the key that launched the miner', async () => {
    const r = await cli(['triage', '--from', files['bitcointool.json']!]);
    expect([0, 3], r.err).toContain(r.code);
    expect(r.json!.case.subject.input).toBe(loaded.truth.leakedAccessKeyId);
    expect(r.json!.alert.followed).toMatch(new RegExp(`^${loaded.truth.leakedAccessKeyId} launched i-`));
    // The finding is kept as evidence, byte for byte, with its hash in the journal.
    const received = journalKinds(r.json!.dir).find((e) => e.kind === 'alert.received')!;
    const evidence = received.data.evidence as { path: string; sha256: string };
    expect(readFileSync(join(r.json!.dir, 'evidence', evidence.path), 'utf8')).toBe(
      readFileSync(files['bitcointool.json']!, 'utf8'),
    );
    expect(received.data.followed).toBe(r.json!.alert.followed);
  });

  it('reads the Discovery finding as the AWS CLI prints it', async () => {
    const r = await cli(['triage', '--from', files['discovery-cli.json']!]);
    expect([0, 3], r.err).toContain(r.code);
    expect(r.json!.case.subject.input).toBe(loaded.truth.leakedAccessKeyId);
    expect(r.json!.alert).toMatchObject({ source: 'guardduty', followed: null });
  });

  it('reads the Health event from standard input; the case is aware since the event started', async () => {
    const health = readFileSync(files['health.json']!, 'utf8');
    const r = await cli(['triage', '--from', '-'], health);
    expect([0, 3], r.err).toContain(r.code);
    expect(r.json!.case.subject.input).toBe(loaded.truth.leakedAccessKeyId);
    const start = (JSON.parse(health) as { detail: { startTime: string } }).detail.startTime;
    expect(r.json!.case.awareness).toBe(new Date(start).toISOString());
  });

  it('prints the alert’s own words escaped: no terminal control sequence gets through', async () => {
    const health = JSON.parse(readFileSync(files['health.json']!, 'utf8')) as {
      detail: { eventDescription: { latestDescription: string }[]; eventMetadata: Record<string, string> };
    };
    health.detail.eventDescription[0]!.latestDescription =
      'Key found \u001b]8;;http://evil.example/\u0007click here\u001b]8;;\u0007 \u001b[2J\u001b[31mnow';
    health.detail.eventMetadata.exposedUrl = 'https://github.com/acme/\u001b[1Abad';
    const r = await cliOn(
      sim,
      responder,
      ['triage', '--from', write('hostile.json', health)],
      undefined,
      true,
    );
    expect([0, 3], r.err).toContain(r.code);
    expect(r.out).toContain('Key found');
    expect(r.out).not.toMatch(RAW_CONTROL);
    // Progress lines redraw themselves with CR and erase-line; nothing else may reach the terminal.
    expect(r.err.replaceAll('\r\u001b[2K', '')).not.toMatch(RAW_CONTROL);
  });

  it('reads the quarantine attachment from lookup-events output and opens the case of its user', async () => {
    const r = await cli(['triage', '--from', files['quarantine-lookup.json']!]);
    expect([0, 3], r.err).toContain(r.code);
    // The truth names the user by ARN.
    expect(r.json!.case.subject.input).toBe(loaded.truth.compromisedUser);
    expect(r.json!.triage.quarantine?.attached).toContain(
      'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
    );
  });

  it('follows a cost anomaly to the only key that launched instances where the spend rose', async () => {
    const r = await cli(['triage', '--from', files['cost-anomaly.json']!]);
    expect([0, 3], r.err).toContain(r.code);
    expect(r.json!.case.subject.input).toBe(loaded.truth.leakedAccessKeyId);
    expect(r.json!.alert.followed).toMatch(
      /made the only RunInstances\/.* in ap-southeast-1|sa-east-1|eu-north-1/,
    );
  });

  it('refuses an alert that names another credential than SUBJECT, and a document it does not know (exit 2, no case)', async () => {
    const before = existsSync(join(dir, 'cases')) ? readdirSync(join(dir, 'cases')).length : 0;
    const wrong = await cli(['triage', 'AKIAIOSFODNN7EXAMPLE', '--from', files['health.json']!]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/SUBJECT AKIAIOSFODNN7EXAMPLE is not what the alert names/);
    write('unknown.json', { Message: 'hello' });
    const r = await cli(['triage', '--from', 'unknown.json']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(
      /^error: unknown\.json is not an alert Tourniquet reads; expected a GuardDuty finding/,
    );
    expect(r.out).toBe('');
    const missing = await cli(['triage', '--from', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--from .*nope\.json: no such file/);
    expect(readdirSync(join(dir, 'cases')).length).toBe(before);
  });
});

describe('triage --from on an instance-credential exfiltration finding', () => {
  it('opens the case of the stolen role session key, tied to its role', async () => {
    // Its own account, on a clock 30 minutes behind, so GuardDuty's 5-minute delay can pass.
    const own = await startSim({
      port: 0,
      seed: 'exfil',
      clock: new SimClock({ start: new Date(Date.now() - 30 * 60_000).toISOString(), frozen: true }),
    });
    try {
      const admin = createUserWithKey(own.state, VICTIM_ACCOUNT, 'admin', {
        managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      }).key;
      await new GuardDutyClient(sdkConfig(own, admin)).send(new CreateDetectorCommand({ Enable: true }));
      // The instance's role session, named after the instance as EC2 names it, used from outside AWS.
      const stolen = await instanceRoleSession(own, admin);
      own.state.setApparentIp(stolen.accessKeyId, '203.0.113.50');
      await new IAMClient(sdkConfig(own, stolen)).send(new ListRolesCommand({}));
      own.clock.advance(10 * 60_000);
      const event = guardDutyEvents(own.state, VICTIM_ACCOUNT).find(
        (e) =>
          (e.detail as { type: string }).type ===
          'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      );
      const r = await cliOn(own, admin, ['triage', '--from', write('exfil.json', event)]);
      expect([0, 3], r.err).toContain(r.code);
      expect(r.json!.case.subject.input).toBe(stolen.accessKeyId);
      expect(r.json!.triage.resolved).toMatchObject({
        credential: 'role-session',
        role: { arn: `arn:aws:iam::${VICTIM_ACCOUNT}:role/app-server` },
      });
    } finally {
      await own.stop();
    }
  });
});

describe('respond --from', () => {
  it('runs the playbook on the case of the key the Health event names, keeping the alert', async () => {
    const r = await cli(['respond', '--from', files['health.json']!, '--yes']);
    expect([0, 3], r.err).toContain(r.code);
    const doc = JSON.parse(r.out) as {
      dir: string;
      resumed: boolean;
      contained: boolean;
      alert: { source: string; subject: string };
      phases: { phase: string; state: string }[];
    };
    expect(doc.alert).toMatchObject({ source: 'aws-health', subject: loaded.truth.leakedAccessKeyId });
    expect(doc.contained).toBe(true);
    const kinds = journalKinds(doc.dir).map((e) => e.kind);
    expect(kinds.indexOf('alert.received')).toBeGreaterThan(kinds.indexOf('respond.started'));
    expect(kinds.indexOf('alert.received')).toBeLessThan(kinds.indexOf('phase.started'));
    // The triage cases above left this key's case open: respond continues it, adding this alert.
    expect(doc.resumed).toBe(true);
    expect(
      readdirSync(join(doc.dir, 'evidence', 'alerts')).filter((f) => f.startsWith('aws-health-')),
    ).toHaveLength(1);
  }, 180_000);
});
