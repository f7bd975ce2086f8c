import type { ConsoleStep, ScenarioDef } from '../types.js';
import { W } from '../world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

const inConsole = (s: ConsoleStep): ConsoleStep => s;

/**
 * Console takeover: the admin's password (reused elsewhere) is tried from a new country — one
 * failure, then a sign-in without MFA; in the console the attacker changes the password, adds
 * their own virtual MFA device and creates an access key, which their tooling then uses.
 */
export const consoleTakeover: ScenarioDef = {
  name: 'console-takeover',
  summary:
    'failed then successful ConsoleLogin without MFA from a new country → UpdateLoginProfile, virtual MFA device added, CreateAccessKey used by the attacker',
  attackStartsBeforeEnd: 3 * HOUR,
  leakedKey: false,
  attackers: [
    {
      name: 'attacker-browser',
      kind: 'attacker',
      ip: '41.58.201.77',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    },
    {
      name: 'attacker-cli',
      kind: 'attacker',
      ip: '41.58.201.77',
      userAgent: 'aws-cli/2.16.1 Python/3.11.8 Windows/10 exe/AMD64 prompt/off',
    },
  ],
  steps: [
    { at: 0, actor: 'attacker-browser', console: { kind: 'login', userName: W.adminUser, success: false } },
    {
      at: 40_000,
      actor: 'attacker-browser',
      console: { kind: 'login', userName: W.adminUser, success: true },
    },
    inConsole({
      at: 3 * MIN,
      actor: 'attacker-browser',
      console: { kind: 'updateLoginProfile', userName: W.adminUser, password: 'Pwn3d-by-Console!' },
      truth: {
        modified: [{ type: 'AWS::IAM::User', id: W.adminUser, detail: 'console password changed' }],
        persistence: [
          {
            kind: 'login-profile',
            detail: 'password of the admin changed by the attacker',
            resource: `arn:aws:iam::${W.account}:user/${W.adminUser}`,
          },
        ],
      },
    }),
    inConsole({
      at: 5 * MIN,
      actor: 'attacker-browser',
      console: { kind: 'addVirtualMfa', userName: W.adminUser, deviceName: `${W.adminUser}-phone` },
      truth: (v) => ({
        created: [{ type: 'AWS::IAM::VirtualMFADevice', id: String(v[`mfa:${W.adminUser}`]) }],
        persistence: [
          {
            kind: 'mfa-device',
            detail: 'attacker-controlled virtual MFA device enabled for the admin',
            resource: String(v[`mfa:${W.adminUser}`]),
          },
        ],
        clean: [{ check: 'mfaDeviceAbsent', serialNumber: String(v[`mfa:${W.adminUser}`]) }],
      }),
    }),
    inConsole({
      at: 7 * MIN,
      actor: 'attacker-browser',
      console: { kind: 'createAccessKey', userName: W.adminUser },
      truth: (v) => {
        const id = (v[`key:${W.adminUser}`] as { accessKeyId: string }).accessKeyId;
        return {
          created: [{ type: 'AWS::IAM::AccessKey', id, detail: `for ${W.adminUser}` }],
          persistence: [{ kind: 'access-key', detail: 'access key created in the console', resource: id }],
          clean: [{ check: 'accessKeyNotActive', accessKeyId: id }],
        };
      },
    }),
    {
      at: 10 * MIN,
      actor: 'attacker-cli',
      as: `key:${W.adminUser}`,
      service: 'sts',
      op: 'GetCallerIdentity',
      input: {},
    },
    {
      at: 11 * MIN,
      actor: 'attacker-cli',
      as: `key:${W.adminUser}`,
      service: 'iam',
      op: 'ListUsers',
      input: {},
    },
    {
      at: 12 * MIN,
      actor: 'attacker-cli',
      as: `key:${W.adminUser}`,
      service: 'secretsmanager',
      op: 'ListSecrets',
      input: {},
    },
  ],
};
