import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../aws/pool.js';
import { systemClock } from '../clock.js';
import { SimClock, VICTIM_ACCOUNT, createUserWithKey, startSim, type RunningSim } from '../sim/index.js';
import { createOrganization } from '../sim/services/organizations/index.js';
import { startStub } from '../test-support/http-stub.js';
import { computeBlastRadius, readAccountSnapshot, readOrganization, type AccountSnapshot } from './index.js';

const MEMBER = '222233334444';
const ADMIN = ['arn:aws:iam::aws:policy/AdministratorAccess'];
const DENY_S3 = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] };

let sim: RunningSim | undefined;
const pools: ClientPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.destroy();
  await sim?.stop();
  sim = undefined;
});

async function account() {
  sim = await startSim({ seed: 11, clock: new SimClock({ start: '2026-11-20T12:00:00Z', frozen: true }) });
  if (!sim.state.account(MEMBER)) sim.state.addAccount(MEMBER, 'member');
  return sim;
}

async function poolFor(s: RunningSim, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const pool = await ClientPool.create(
    { endpointUrl: s.endpoint, region: 'us-east-1', credentials, maxAttempts: 2 },
    systemClock,
  );
  pools.push(pool);
  return pool;
}

describe('readOrganization', () => {
  it('reads the SCPs from the root down for a member account, and the blast radius applies them', async () => {
    const s = await account();
    const org = createOrganization(s.state, {
      management: VICTIM_ACCOUNT,
      members: [{ account: MEMBER, ou: 'prod' }],
      policies: [{ name: 'deny-s3', content: DENY_S3, targets: ['prod'] }],
    });
    const management = await poolFor(
      s,
      createUserWithKey(s.state, VICTIM_ACCOUNT, 'org-reader', { managedPolicies: ADMIN }).key,
    );
    const member = await poolFor(
      s,
      createUserWithKey(s.state, MEMBER, 'member-admin', { managedPolicies: ADMIN }).key,
    );

    const scps = await readOrganization(management, MEMBER);
    expect(scps.status).toBe('read');
    if (scps.status !== 'read') return;
    expect(scps.organizationId).toBe(org.id);
    const ou = Object.keys(org.ous)[0]!;
    expect(scps.scps.map((l) => [l.target, l.policies.map((p) => p.name)])).toEqual([
      [org.rootId, ['FullAWSAccess']],
      [ou, ['FullAWSAccess', 'deny-s3']],
      [MEMBER, ['FullAWSAccess']],
    ]);
    // SCPs never apply to the management account itself.
    expect(await readOrganization(management, VICTIM_ACCOUNT)).toEqual({
      status: 'read',
      organizationId: org.id,
      scps: [],
      rcps: [],
    });

    const { snapshot } = await readAccountSnapshot(member, MEMBER, { organization: false });
    const at = '2026-11-20T12:00:00Z';
    const subject = { type: 'user' as const, arn: `arn:aws:iam::${MEMBER}:user/member-admin` };
    const free = await computeBlastRadius({
      accounts: [{ ...snapshot, organization: { status: 'not-in-organization' } }],
      subject,
      at,
    });
    const capped = await computeBlastRadius({ accounts: [{ ...snapshot, organization: scps }], subject, at });
    expect(free.principals[0]!.admin).toBe(true);
    expect(capped.principals[0]!.admin).toBe(false);
    expect(capped.principals[0]!.sensitive.filter((g) => g.action.startsWith('s3:'))).toEqual([]);
    expect(capped.principals[0]!.sensitive.map((g) => g.action)).toContain('iam:CreateAccessKey');
  });

  it("says 'not checked' when a member account may not read its organisation, and 'not in an organisation' outside one", async () => {
    const s = await account();
    const outsider = await poolFor(
      s,
      createUserWithKey(s.state, VICTIM_ACCOUNT, 'alone', { managedPolicies: ADMIN }).key,
    );
    expect(await readOrganization(outsider, VICTIM_ACCOUNT)).toEqual({ status: 'not-in-organization' });

    createOrganization(s.state, { management: VICTIM_ACCOUNT, members: [{ account: MEMBER }] });
    const member = await poolFor(
      s,
      createUserWithKey(s.state, MEMBER, 'member-admin', { managedPolicies: ADMIN }).key,
    );
    const read = await readAccountSnapshot(member, MEMBER);
    const org = read.snapshot.organization;
    expect(org.status === 'not-checked' && org.reason).toMatch(/^ListParents: AccessDeniedException/);
    expect(read.coverage).toContainEqual(
      expect.objectContaining({ what: 'organizations.scps', status: 'not-checked' }),
    );
    const b = await computeBlastRadius({
      accounts: [read.snapshot],
      subject: { type: 'user', arn: `arn:aws:iam::${MEMBER}:user/member-admin` },
      at: '2026-11-20T12:00:00Z',
    });
    expect(b.organization.map((o) => [o.account, o.status])).toEqual([[MEMBER, 'not-checked']]);
    expect(b.organization[0]?.reason).toMatch(/AccessDenied/);
    expect(b.notChecked.some((l) => l.startsWith(`SCPs of ${MEMBER} not checked`))).toBe(true);
  });
});

describe('readAccountSnapshot', () => {
  it('marks what AWS refuses as not checked and carries on', async () => {
    const s = await account();
    const responder = createUserWithKey(s.state, VICTIM_ACCOUNT, 'narrow', {
      managedPolicies: ADMIN,
      inlinePolicies: {
        deny: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Action: ['iam:GetAccountAuthorizationDetails', 'secretsmanager:GetResourcePolicy'],
              Resource: '*',
            },
          ],
        },
      },
    }).key;
    const admin = createUserWithKey(s.state, VICTIM_ACCOUNT, 'setup', { managedPolicies: ADMIN }).key;

    const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: s.endpoint, credentials: admin });
    await sm.send(new CreateSecretCommand({ Name: 'db', SecretString: 'x' }));
    sm.destroy();

    const { snapshot, coverage } = await readAccountSnapshot(await poolFor(s, responder), VICTIM_ACCOUNT);
    expect(coverage).toContainEqual(
      expect.objectContaining({
        what: 'iam.authorization',
        status: 'not-checked',
      }),
    );
    expect(coverage.find((c) => c.what === 'iam.authorization')?.reason).toMatch(/^AccessDenied/);
    expect(coverage).toContainEqual(
      expect.objectContaining({ what: 'secretsmanager.resource-policy', status: 'not-checked' }),
    );
    expect(coverage).toContainEqual({
      what: 'secretsmanager.secrets',
      region: 'us-east-1',
      status: 'complete',
    });
    expect(snapshot.authorization.UserDetailList).toEqual([]);
    const secret = snapshot.resources.find((r) => r.name === 'db')!;
    expect(secret.policy).toBeUndefined(); // not read, not "none"
    expect(
      snapshot.notChecked?.some((l) => l.startsWith('iam.authorization in us-east-1: AccessDenied')),
    ).toBe(true);
  });

  it('follows GetAccountAuthorizationDetails markers page after page', async () => {
    const page = (n: number, marker?: string) =>
      `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>` +
      `<UserDetailList><member><UserName>u${n}</UserName><Arn>arn:aws:iam::111122223333:user/u${n}</Arn></member></UserDetailList>` +
      `<GroupDetailList/><RoleDetailList/><Policies/>` +
      (marker
        ? `<IsTruncated>true</IsTruncated><Marker>${marker}</Marker>`
        : '<IsTruncated>false</IsTruncated>') +
      `</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`;
    const stub = await startStub((req) => {
      if (req.body.includes('Action=GetAccountAuthorizationDetails')) {
        const marker = /Marker=([^&]+)/.exec(req.body)?.[1];
        return {
          status: 200,
          body: marker === 'm2' ? page(3) : marker === 'm1' ? page(2, 'm2') : page(1, 'm1'),
        };
      }
      if (req.method === 'GET')
        return { status: 200, body: '<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>' };
      return {
        status: 400,
        body: '{"__type":"AWSOrganizationsNotInUseException","message":"Your account is not a member of an organization."}',
        headers: { 'content-type': 'application/x-amz-json-1.1' },
      };
    });
    try {
      const pool = await ClientPool.create(
        {
          endpointUrl: stub.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIAX', secretAccessKey: 's' },
          maxAttempts: 1,
        },
        systemClock,
      );
      pools.push(pool);
      const snapshot: AccountSnapshot = (await readAccountSnapshot(pool, '111122223333', { regions: [] }))
        .snapshot;
      expect(snapshot.authorization.UserDetailList?.map((u) => u.UserName)).toEqual(['u1', 'u2', 'u3']);
    } finally {
      await stub.close();
    }
  });
});
