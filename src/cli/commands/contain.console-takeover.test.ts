import { join } from 'node:path';
import { GetLoginProfileCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { withoutJournalHead } from '../../test-support/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../../sim/index.js';
import { checkCleanState } from '../../sim/scenarios/clean.js';
import { loadScenario, type LoadedScenario } from '../../sim/scenarios/index.js';
import { W } from '../../sim/scenarios/world.js';
import { cli, iam, outcome, sts, tempDir, type Creds } from './contain.fixture.js';

// The console-takeover scenario (issue 7): the admin's password is used from a new country, the
// attacker changes it, adds an MFA device and creates an access key for their tooling.
let sim: RunningSim;
let loaded: LoadedScenario;
let responder: Creds;
beforeAll(async () => {
  sim = await startSim({ seed: 33, lookupEventsPerSecond: 20 });
  loaded = await loadScenario(sim, 'console-takeover', { seed: 33 });
  responder = {
    accessKeyId: loaded.responderCredentials.accessKeyId,
    secretAccessKey: loaded.responderCredentials.secretAccessKey,
  };
}, 120_000);
afterAll(async () => {
  await sim.stop();
});

describe('contain on the console-takeover scenario', () => {
  it('a console user: password deleted (existence and last use recorded), every key inactive, the user denied', async () => {
    const cwd = tempDir();
    const caseDir = join(cwd, 'case');
    const triage = await cli(
      ['triage', W.adminUser, '--case', caseDir, '--json'],
      sim.endpoint,
      responder,
      cwd,
    );
    expect(triage.code).toBe(0);
    const t = (
      JSON.parse(triage.out) as {
        triage: {
          consolePassword: { exists: boolean; lastUsed: string | null };
          severity: { level: string };
        };
      }
    ).triage;
    expect(t.consolePassword.exists).toBe(true);
    expect(t.consolePassword.lastUsed).not.toBeNull();
    expect(t.severity.level).toBe('P1');

    const run = await cli(['contain', '--case', caseDir, '--apply', '--json'], sim.endpoint, responder, cwd);
    expect(withoutJournalHead(run.err)).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.out) as {
      state: string;
      plan: { steps: { action: string; before: unknown }[] };
    };
    expect(result.state).toBe('contained');
    expect(result.plan.steps.find((s) => s.action === 'delete-login-profile')!.before).toMatchObject({
      exists: true,
      lastUsed: t.consolePassword.lastUsed,
    });
    expect(
      await outcome(() =>
        iam(sim.endpoint, responder).send(new GetLoginProfileCommand({ UserName: W.adminUser })),
      ),
    ).toBe('NoSuchEntityException');
    // The key the attacker made in the console is refused.
    const made = loaded.truth.expectedCleanState.flatMap((c) =>
      c.check === 'accessKeyNotActive' ? [c.accessKeyId] : [],
    );
    const attackerKey = Object.values(sim.state.accountOrThrow(W.account).iam.accessKeys).find((k) =>
      made.includes(k.accessKeyId),
    );
    expect(attackerKey).toBeDefined();
    expect(await outcome(() => sts(sim.endpoint, attackerKey!).send(new GetCallerIdentityCommand({})))).toBe(
      'InvalidClientTokenId',
    );
    // Containment, not eradication: only the attacker's MFA device is left for the next phase.
    expect(checkCleanState(sim.state, loaded.truth).unmet.map((c) => c.check)).toEqual(['mfaDeviceAbsent']);
    expect(await outcome(() => iam(sim.endpoint, responder).send(new ListUsersCommand({})))).toBe('ok');
    expect((await cli(['case', 'verify', '--case', caseDir], sim.endpoint, responder, cwd)).code).toBe(0);
  });
});
