import { describe, expect, it } from 'vitest';
import type { StepRequest } from './engine.js';
import { adminsLeft, grantsAdmin, selfRefusals } from './guards.js';
import { denyAllDocument, isDenyAll, revokeCutoff, revokeOlderSessionsDocument } from './inline-policy.js';

const admin = encodeURIComponent(
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
);

describe('containment policy documents', () => {
  it('deny-all is recognised in its string and list forms, and not when conditional', () => {
    expect(isDenyAll(denyAllDocument())).toBe(true);
    expect(isDenyAll({ Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'] }] })).toBe(true);
    expect(
      isDenyAll({
        Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { x: 'y' } } },
      }),
    ).toBe(false);
    expect(isDenyAll({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })).toBe(false);
  });

  it('the revoke-older-sessions cut-off round-trips, whatever the console form', () => {
    const at = new Date('2026-11-28T15:00:00.123Z');
    expect(revokeCutoff(revokeOlderSessionsDocument(at))?.toISOString()).toBe(at.toISOString());
    const consoleForm = {
      Statement: [
        {
          Effect: 'Deny',
          Action: ['*'],
          Resource: ['*'],
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2014-05-07T23:47:00Z' } },
        },
      ],
    };
    expect(revokeCutoff(consoleForm)?.toISOString()).toBe('2014-05-07T23:47:00.000Z');
    expect(revokeCutoff(denyAllDocument())).toBeUndefined();
  });
});

describe('guards', () => {
  const details = {
    UserDetailList: [
      {
        UserName: 'victim',
        Arn: 'arn:aws:iam::1:user/victim',
        AttachedManagedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
      },
      { UserName: 'dev', Arn: 'arn:aws:iam::1:user/dev', GroupList: ['admins'] },
      { UserName: 'reader', Arn: 'arn:aws:iam::1:user/reader' },
    ],
    GroupDetailList: [
      { GroupName: 'admins', GroupPolicyList: [{ PolicyName: 'all', PolicyDocument: admin }] },
    ],
    RoleDetailList: [
      {
        RoleName: 'AWSServiceRoleForX',
        Path: '/aws-service-role/',
        Arn: 'arn:aws:iam::1:role/aws-service-role/AWSServiceRoleForX',
        RolePolicyList: [{ PolicyName: 'p', PolicyDocument: admin }],
      },
    ],
    Policies: [],
  };

  it('counts admins through attached, group inline policies, and ignores service-linked roles', () => {
    expect(grantsAdmin({ Statement: { Effect: 'Allow', Action: '*:*', Resource: '*' } })).toBe(true);
    expect(adminsLeft(details, { users: new Set(['victim']), roles: new Set() })).toEqual([
      'arn:aws:iam::1:user/dev',
    ]);
    expect(adminsLeft(details, { users: new Set(['victim', 'dev']), roles: new Set() })).toEqual([]);
  });

  it("refuses the responder's own key, user and role", () => {
    const user = { arn: 'arn:aws:iam::1:user/responder', account: '1', accessKeyId: 'AKIAOWN' };
    const role = { arn: 'arn:aws:sts::1:assumed-role/ir/me', account: '1', accessKeyId: 'ASIAOWN' };
    const reqs: StepRequest[] = [
      {
        action: 'deactivate-access-key',
        account: '1',
        params: { userName: 'responder', accessKeyId: 'AKIAOWN' },
      },
      {
        action: 'deactivate-access-key',
        account: '1',
        params: { userName: 'responder', accessKeyId: 'AKIAOTHER' },
      },
      { action: 'user-deny-all', account: '1', params: { name: 'responder' } },
      { action: 'role-revoke-sessions', account: '1', params: { name: 'ir' } },
      { action: 'role-revoke-sessions', account: '2', params: { name: 'ir' } },
    ];
    expect(selfRefusals(reqs, user).map((r) => r.request)).toEqual([reqs[0], reqs[2]]);
    expect(selfRefusals(reqs, role).map((r) => r.request)).toEqual([reqs[3]]);
  });
});
