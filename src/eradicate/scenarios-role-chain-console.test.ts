import { afterAll, describe, expect, it } from 'vitest';
import { VICTIM_ACCOUNT, type RunningSim } from '../sim/index.js';
import { W } from '../sim/scenarios/world.js';
import { checkBar, respondTo } from './test-support/bar.js';

// The scenarios are split over four files so that they run side by side.
describe(
  'respond --yes (scope → eradicate → recover) on every scenario, then the account read back',
  { timeout: 600_000 },
  () => {
    const sims: RunningSim[] = [];
    afterAll(async () => {
      for (const s of sims) await s.stop();
    });

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
      sims.push(p.sim);
      await checkBar(p);
    });

    it('console-takeover: the attacker MFA device and key gone, the admin user intact', async () => {
      const p = await respondTo('console-takeover');
      sims.push(p.sim);
      await checkBar(p);
      expect(p.sim.state.accountOrThrow(VICTIM_ACCOUNT).iam.users[W.adminUser]).toBeDefined();
    });
  },
);
