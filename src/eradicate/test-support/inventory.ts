import type { SimState } from '../../sim/index.js';
import type { Ec2AccountState } from '../../sim/services/ec2/model.js';
import type { LambdaState } from '../../sim/services/lambda/model.js';
import type { S3AccountState } from '../../sim/services/s3/model.js';
import type { SecretsState } from '../../sim/services/secretsmanager/model.js';
import type { KmsState } from '../../sim/services/kms/model.js';
import type { RdsState } from '../../sim/services/rds/model.js';

/**
 * What an account holds, read in-process from the simulated account (the test's own view, not
 * the tool's): one line per resource, so "everything that existed before the attack is still
 * there" is a set difference.
 */
export function inventory(state: SimState, accountId: string): Set<string> {
  const a = state.accountOrThrow(accountId);
  const out = new Set<string>();
  for (const u of Object.values(a.iam.users)) out.add(`user:${u.userName}`);
  for (const k of Object.values(a.iam.accessKeys)) out.add(`access-key:${k.accessKeyId}`);
  for (const r of Object.values(a.iam.roles)) out.add(`role:${r.roleName}`);
  for (const p of Object.values(a.iam.policies)) out.add(`policy:${p.arn}`);
  for (const p of Object.values(a.iam.oidcProviders)) out.add(`oidc:${p.arn}`);
  for (const t of Object.values(a.cloudtrail.trails)) out.add(`trail:${t.name}`);
  const ec2 = a.services.ec2 as Ec2AccountState | undefined;
  for (const [region, r] of Object.entries(ec2?.regions ?? {})) {
    for (const i of Object.values(r.instances))
      if (i.state !== 'terminated') out.add(`instance:${region}/${i.instanceId}`);
    for (const s of Object.values(r.snapshots)) out.add(`snapshot:${region}/${s.snapshotId}`);
    for (const k of Object.values(r.keyPairs)) out.add(`key-pair:${region}/${k.keyName}`);
    for (const g of Object.values(r.securityGroups)) out.add(`security-group:${region}/${g.groupId}`);
  }
  for (const b of Object.keys((a.services.s3 as S3AccountState | undefined)?.buckets ?? {}))
    out.add(`bucket:${b}`);
  for (const [region, r] of Object.entries((a.services.lambda as LambdaState | undefined)?.regions ?? {}))
    for (const f of Object.keys(r.functions)) out.add(`function:${region}/${f}`);
  for (const [region, r] of Object.entries(
    (a.services.secretsmanager as SecretsState | undefined)?.regions ?? {},
  ))
    for (const s of Object.keys(r)) out.add(`secret:${region}/${s}`);
  for (const [region, r] of Object.entries((a.services.rds as RdsState | undefined)?.regions ?? {})) {
    for (const i of Object.keys(r.instances)) out.add(`rds-instance:${region}/${i}`);
    for (const s of Object.keys(r.snapshots)) out.add(`rds-snapshot:${region}/${s}`);
  }
  // A key pending deletion is on its way out (KMS deletes it after the waiting period).
  for (const k of Object.values((a.services.kms as KmsState | undefined)?.keys ?? {}))
    if (k.state !== 'PendingDeletion') out.add(`kms-key:${k.arn}`);
  return out;
}

/** The ids the scenario's truth says the attacker created, as `inventory` spells them. */
export function createdByAttacker(truth: {
  resourcesCreated: { type: string; id: string; region?: string }[];
}): Set<string> {
  const out = new Set<string>();
  for (const r of truth.resourcesCreated) {
    const region = r.region ?? 'us-east-1';
    const name = r.id.split(/[:/]/).at(-1) ?? r.id;
    const map: Record<string, string> = {
      'AWS::IAM::User': `user:${r.id}`,
      'AWS::IAM::AccessKey': `access-key:${r.id}`,
      'AWS::IAM::OIDCProvider': `oidc:${r.id}`,
      'AWS::EC2::Instance': `instance:${region}/${r.id}`,
      'AWS::EC2::SecurityGroup': `security-group:${region}/${r.id}`,
      'AWS::EC2::KeyPair': `key-pair:${region}/${r.id}`,
      'AWS::Lambda::Function': `function:${region}/${name}`,
      'AWS::RDS::DBSnapshot': `rds-snapshot:${region}/${r.id}`,
      'AWS::KMS::Key': `kms-key:${r.id}`,
    };
    out.add(map[r.type] ?? `${r.type}:${r.id}`);
  }
  return out;
}
