import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../aws/pool.js';
import { systemClock } from '../clock.js';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../sim/index.js';
import type { Creds } from '../sim/test-support/aws.js';
import { createTrustedRole } from '../sim/test-support/instance-role.js';
import { readOtherAccounts } from './other-accounts.js';

const ROLE = 'OrganizationAccountAccessRole';
const ADMIN = ['arn:aws:iam::aws:policy/AdministratorAccess'];
// Two accounts the responder may enter, one it may not (no role there).
const OPEN = ['222233334444', '333344445555'];
const CLOSED = '555566667777';

let sim: RunningSim;
let responder: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 9, clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }) });
  responder = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', { managedPolicies: ADMIN }).key;
  for (const account of [...OPEN, CLOSED]) {
    sim.state.addAccount(account, `member-${account}`);
    const admin = createUserWithKey(sim.state, account, 'admin', { managedPolicies: ADMIN }).key;
    if (!OPEN.includes(account)) continue;
    await createTrustedRole(sim, admin, ROLE, ADMIN[0]!);
  }
});

afterAll(() => sim.stop());

describe('the IAM of the other accounts the sessions reached', () => {
  it('is read a few accounts at once, in a stable order; an account the role cannot enter is a gap, not a failure', async () => {
    const pool = await ClientPool.create(
      { endpointUrl: sim.endpoint, region: 'us-east-1', credentials: responder },
      systemClock,
    );
    try {
      const read = await readOtherAccounts({
        pool,
        home: VICTIM_ACCOUNT,
        accounts: [CLOSED, ...OPEN].reverse(),
        accountRole: ROLE,
        clock: systemClock,
        sessionName: 'tourniquet-test',
      });
      expect(read.snapshots.map((s) => s.accountId)).toEqual(OPEN);
      for (const s of read.snapshots)
        expect(s.authorization.RoleDetailList?.map((r) => r.RoleName)).toContain(ROLE);
      expect(read.coverage.map((c) => [c.lister, c.status])).toEqual([
        ['iam.other-account 222233334444', 'complete'],
        ['iam.other-account 333344445555', 'complete'],
        [`iam.other-account ${CLOSED}`, 'not-checked'],
      ]);
      expect(read.coverage[2]!.reason).toMatch(
        new RegExp(`account ${CLOSED} could not be entered through ${ROLE} .*--account-role NAME`),
      );
    } finally {
      pool.destroy();
    }
  });
});
