import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttachUserPolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { withoutJournalHead } from '../../test-support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, EXTERNAL_ACCOUNT, VICTIM_ACCOUNT, type RunningSim } from '../../sim/index.js';
import type { TriageReport } from '../../triage/report.js';
import { cli, iam, outcome, simWithResponder, tempDir, victimUser, type Creds } from './contain.fixture.js';

let sim: RunningSim;
let responder: Creds;
beforeAll(async () => {
  ({ sim, responder } = await simWithResponder());
});
afterAll(async () => {
  await sim.stop();
});

interface TriageJson {
  dir: string;
  case: {
    subject: { input: string; kind: string };
    account: string;
    awareness: string;
    responder: { arn: string };
  };
  triage: TriageReport;
  statusUpdate: string[];
}

describe('triage against the simulated account', () => {
  it('identifies a leaked admin key, opens the case and fills the initial status update', async () => {
    const cwd = tempDir();
    const victim = await victimUser(sim.endpoint, responder, 'deployer');
    const run = await cli(
      ['triage', victim.key.accessKeyId, '--aware-since', '2026-11-28T09:00:00Z', '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    expect(withoutJournalHead(run.err)).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.out) as TriageJson;
    expect(out.dir.startsWith(join(cwd, 'cases'))).toBe(true);
    expect(out.case).toMatchObject({
      account: VICTIM_ACCOUNT,
      awareness: '2026-11-28T09:00:00.000Z',
      subject: { kind: 'access-key' },
    });
    expect(out.case.responder.arn).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:user/responder`);
    const t = out.triage;
    expect(t.resolved).toMatchObject({
      credential: 'access-key',
      account: VICTIM_ACCOUNT,
      user: { name: 'deployer' },
    });
    expect(t.key).toMatchObject({ accessKeyId: victim.key.accessKeyId, status: 'Active' });
    expect(t.consolePassword).toMatchObject({ exists: false });
    expect(t.mfaDevices).toEqual([]);
    expect(t.admin).toBe(true);
    expect(t.severity.level).toBe('P1');
    expect(t.severity.reasons).toContain('the principal has administrator rights');
    expect(t.notChecked).toEqual([]);
    const text = out.statusUpdate.join('\n');
    expect(text).toContain('INITIAL STATUS UPDATE');
    expect(text).toContain(`Severity: P1`);
    expect(text).toContain(`arn:aws:iam::${VICTIM_ACCOUNT}:user/deployer`);
    expect(text).toContain('Impact: unknown (the investigation has not started)');
    expect(text).not.toMatch(/[[\]{}]/);
  });

  it('shows AWS quarantine and that it blocks UpdateAccessKey for whoever signs as that user', async () => {
    const cwd = tempDir();
    const victim = await victimUser(sim.endpoint, responder, 'leaky', { admin: false });
    await iam(sim.endpoint, responder).send(
      new AttachUserPolicyCommand({
        UserName: 'leaky',
        PolicyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3',
      }),
    );
    const run = await cli(['triage', 'leaky', '--case', join(cwd, 'c')], sim.endpoint, responder, cwd);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /AWS quarantine policy attached \(arn:aws:iam::aws:policy\/AWSCompromisedKeyQuarantineV3\): it denies iam:UpdateAccessKey/,
    );
    expect(
      await outcome(() =>
        iam(sim.endpoint, victim.key).send(
          new UpdateAccessKeyCommand({ AccessKeyId: victim.key.accessKeyId, Status: 'Inactive' }),
        ),
      ),
    ).toBe('AccessDenied');
  });

  it('a check AWS refuses is listed as "could not check" and exits 3, never a crash', async () => {
    const cwd = tempDir();
    const victim = await victimUser(sim.endpoint, responder, 'partial-victim');
    const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'junior', {
      inlinePolicies: {
        few: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['iam:GetAccessKeyLastUsed', 'iam:GetUser', 'iam:ListAccessKeys'],
              Resource: '*',
            },
          ],
        },
      },
    });
    const junior = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    const run = await cli(
      ['triage', victim.key.accessKeyId, '--case', join(cwd, 'c')],
      sim.endpoint,
      junior,
      cwd,
    );
    expect(run.code).toBe(3);
    expect(run.out).toContain('Could not check:');
    expect(run.out).toMatch(/MFA devices \(iam:ListMFADevices\): AccessDenied/);
    expect(run.out).toMatch(/recent activity \(cloudtrail:LookupEvents\): AccessDenied/);
    expect(run.out).toContain('Credential status: Active');
  });

  it('warns when the key belongs to another account than the one we are signed into', async () => {
    const cwd = tempDir();
    const { key } = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'stranger');
    const run = await cli(
      ['triage', key.accessKeyId, '--case', join(cwd, 'c'), '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    expect(run.code).toBe(3);
    expect(run.err).toContain(`belongs to account ${EXTERNAL_ACCOUNT}, not ${VICTIM_ACCOUNT}`);
    const out = JSON.parse(run.out) as TriageJson;
    expect(out.triage.foreignAccount).toBe(EXTERNAL_ACCOUNT);
    expect(out.case.account).toBe(EXTERNAL_ACCOUNT);
    expect(out.statusUpdate.join('\n')).toContain(`in AWS account ${EXTERNAL_ACCOUNT}`);
  });

  it('a re-run on the same case triages again; another subject in that case is refused', async () => {
    const cwd = tempDir();
    const dir = join(cwd, 'c');
    const victim = await victimUser(sim.endpoint, responder, 'rerun');
    expect(
      (await cli(['triage', victim.key.accessKeyId, '--case', dir], sim.endpoint, responder, cwd)).code,
    ).toBe(0);
    expect(
      (await cli(['triage', victim.key.accessKeyId, '--case', dir], sim.endpoint, responder, cwd)).code,
    ).toBe(0);
    const other = await cli(['triage', 'rerun', '--case', dir], sim.endpoint, responder, cwd);
    expect(other.code).toBe(2);
    expect(other.err).toContain(`is the case of ${victim.key.accessKeyId}, not rerun`);
    const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
    expect(journal.match(/"kind":"triage.result"/g)).toHaveLength(2);
    expect(journal.match(/"kind":"case.created"/g)).toHaveLength(1);
  });

  it('rejects a subject that is not a credential with a one-line usage error', async () => {
    const cwd = tempDir();
    const run = await cli(['triage', 'arn:aws:s3:::bucket'], sim.endpoint, responder, cwd);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error: "arn:aws:s3:::bucket" is not an access key id/);
  });
});
