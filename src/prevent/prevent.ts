import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  type ListAccessKeysCommandInput,
} from '@aws-sdk/client-iam';
import { fetchCredentialReport } from '../audit/credential-report.js';
import { collectAll } from '../aws/paginate.js';
import type { ClientPool } from '../aws/pool.js';
import { callerIdentity } from '../aws/identity.js';
import type { Context } from '../context.js';
import { alertsTemplate, ALERT_RULES } from './alerts.js';
import { keyPlanMarkdown, keyReplacementPlan, type KeyFacts, type KeyPlanEntry } from './key-plan.js';
import { mfaEnforcementPolicy, serviceControlPolicies } from './scps.js';

/** What `prevent` is tailored with. */
export interface PreventOptions {
  pool: ClientPool;
  out: string;
  breakGlassRole: string;
  /** Regions to allow besides the ones the account's keys were last used in. */
  allowRegions: string[];
}

/** One file written, and what to do with it. */
export interface Artifact {
  file: string;
  what: string;
  apply: string;
}

/** What `prevent` wrote and what it rests on. */
export interface PreventResult {
  account: string;
  out: string;
  regions: { allowed: string[]; fromKeys: string[]; given: string[] };
  artifacts: Artifact[];
  keyPlan: KeyPlanEntry[];
}

/** Write `text` to `dir/name` through a temporary file, so a crash leaves no half artifact. */
function writeArtifact(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return path;
}

async function keyFacts(iam: IAMClient, users: string[]): Promise<KeyFacts[]> {
  const out: KeyFacts[] = [];
  for (const user of users) {
    const input: ListAccessKeysCommandInput = { UserName: user };
    const keys = await collectAll({
      send: (input: ListAccessKeysCommandInput) => iam.send(new ListAccessKeysCommand(input)),
      input,
      inputToken: 'Marker',
      nextToken: (p) => (p.IsTruncated ? p.Marker : undefined),
      items: (p) => p.AccessKeyMetadata,
    });
    for (const k of keys) {
      const used = (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId })))
        .AccessKeyLastUsed;
      out.push({
        user,
        keyId: k.AccessKeyId ?? '',
        status: k.Status ?? '?',
        createdAt: k.CreateDate?.toISOString(),
        lastUsed: used?.LastUsedDate?.toISOString(),
        lastUsedRegion: used?.Region && used.Region !== 'N/A' ? used.Region : undefined,
        lastUsedService: used?.ServiceName && used.ServiceName !== 'N/A' ? used.ServiceName : undefined,
      });
    }
  }
  return out;
}

/**
 * Read the account (credential report, each user's keys and where they were last used) and write
 * the guard-rails tailored to it into `out`. Reads only; applying the files is the person's step.
 */
export async function prevent(ctx: Context, o: PreventOptions): Promise<PreventResult> {
  const me = await callerIdentity(o.pool);
  const iam = o.pool.get(IAMClient, 'us-east-1');
  const task = ctx.progress.start('Reading keys and their use');
  const rows = await fetchCredentialReport(iam, (ms) => ctx.clock.sleep(ms));
  const users = rows
    .filter((r) => !r.root && r.keys.some((k) => k.active || k.lastRotated))
    .map((r) => r.user);
  const keys = await keyFacts(iam, users);
  task.done();
  const fromKeys = [...new Set(keys.map((k) => k.lastUsedRegion).filter((r): r is string => !!r))].sort();
  const allowed = [...new Set(['us-east-1', ...fromKeys, ...o.allowRegions])].sort();
  mkdirSync(o.out, { recursive: true });
  const artifacts: Artifact[] = [];
  const policies = [
    ...serviceControlPolicies({ regions: allowed, breakGlassRole: o.breakGlassRole }),
    mfaEnforcementPolicy(),
  ];
  for (const p of policies)
    artifacts.push({
      file: writeArtifact(o.out, p.file, `${JSON.stringify(p.document, null, 2)}\n`),
      what: p.purpose,
      apply:
        p.kind === 'scp'
          ? `from the management account: aws organizations create-policy --type SERVICE_CONTROL_POLICY --name ${p.file.replace(/\.json$/, '')} --content file://${p.file}, then attach-policy --target-id ${me.account}`
          : `aws iam create-policy --policy-name ${p.file.replace(/\.json$/, '')} --policy-document file://${p.file}, then attach it to your users' group`,
    });
  artifacts.push({
    file: writeArtifact(o.out, 'alerts.cfn.yaml', alertsTemplate()),
    what: `EventBridge rules (${ALERT_RULES.map((r) => r.name.replace(/^tourniquet-/, '')).join(', ')}) to one SNS topic`,
    apply:
      'aws cloudformation deploy --region us-east-1 --stack-name tourniquet-alerts --template-file alerts.cfn.yaml; then aws sns subscribe to the AlertTopicArn output',
  });
  const keyPlan = keyReplacementPlan(keys, rows, ctx.clock.now());
  artifacts.push({
    file: writeArtifact(o.out, 'key-replacement-plan.md', keyPlanMarkdown(me.account, keyPlan)),
    what: `${keyPlan.length} long-term access key(s) and what replaces each`,
    apply: 'work through it with the owners; `tourniquet audit --history` shows the keys going down',
  });
  writeArtifact(o.out, 'key-replacement-plan.json', `${JSON.stringify(keyPlan, null, 2)}\n`);
  return {
    account: me.account,
    out: o.out,
    regions: { allowed, fromKeys, given: o.allowRegions },
    artifacts,
    keyPlan,
  };
}
