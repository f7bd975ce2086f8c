import { join } from 'node:path';
import { ListAttachedUserPoliciesCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTERNAL_ACCOUNT, VICTIM_ACCOUNT, createUserWithKey, type RunningSim } from '../../sim/index.js';
import { ADMIN, cli, iam, simWithResponder, tempDir, type Creds } from './contain.fixture.js';

let sim: RunningSim;
let responder: Creds;
beforeAll(async () => {
  ({ sim, responder } = await simWithResponder());
});
afterAll(() => sim.stop());

describe('containment safety: never in another account than the one triaged', () => {
  it('refuses when the subject resolves to a namesake in the account of other credentials, and touches nothing', async () => {
    // Two users called "deployer": the victim's, and a namesake in another account.
    createUserWithKey(sim.state, VICTIM_ACCOUNT, 'deployer', { managedPolicies: [ADMIN] });
    createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'deployer', { managedPolicies: [ADMIN] });
    const other = createUserWithKey(sim.state, EXTERNAL_ACCOUNT, 'other-admin', {
      managedPolicies: [ADMIN],
    }).key;
    const cwd = tempDir();
    const caseDir = join(cwd, 'case');
    expect((await cli(['triage', 'deployer', '--case', caseDir], sim.endpoint, responder, cwd)).code).toBe(0);

    // Later, with the wrong profile: credentials of the other account.
    const refused = await cli(['contain', '--case', caseDir, '--apply'], sim.endpoint, other, cwd);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /Refusing to contain: this case is about account 111122223333, but with the credentials in use \(arn:aws:iam::444455556666:user\/other-admin\) deployer is in account 444455556666/,
    );
    const namesake = iam(sim.endpoint, other);
    expect((await namesake.send(new ListUserPoliciesCommand({ UserName: 'deployer' }))).PolicyNames).toEqual(
      [],
    );
    expect(
      (await namesake.send(new ListAttachedUserPoliciesCommand({ UserName: 'deployer' }))).AttachedPolicies,
    ).toEqual([{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN }]);

    // With the victim account's credentials the same case is contained.
    const contained = await cli(['contain', '--case', caseDir, '--apply'], sim.endpoint, responder, cwd);
    expect(contained.code, contained.err).toBeLessThan(2);
  });
});
