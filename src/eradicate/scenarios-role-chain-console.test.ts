import { expect, it } from 'vitest';
import { VICTIM_ACCOUNT } from '../sim/index.js';
import { W } from '../sim/scenarios/world.js';
import { checkBar, eradicationBar, respondTo } from './test-support/bar.js';

eradicationBar(() => {
  it('role-chain: the sessions in both accounts revoked (through --account-role); nothing to eradicate', async () => {
    const p = await respondTo('role-chain', ['--account-role', 'TourniquetResponder'], (sim) => {
      // The organisation's responder role in the production account, trusted by the responder.
      const prod = sim.state.accountOrThrow(W.prod);
      prod.iam.roles.TourniquetResponder = {
        roleName: 'TourniquetResponder',
        roleId: 'AROARESPONDER0000001',
        arn: `arn:aws:iam::${W.prod}:role/TourniquetResponder`,
        path: '/',
        createDate: sim.state.nowIso(),
        assumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
        maxSessionDuration: 3600,
        tags: [],
        inlinePolicies: {},
        attachedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      };
    });
    await checkBar(p);
  });

  it('console-takeover: the attacker MFA device and key gone, the admin user intact', async () => {
    const p = await respondTo('console-takeover');
    await checkBar(p);
    expect(p.sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.users[W.adminUser]).toBeDefined();
  });
});
