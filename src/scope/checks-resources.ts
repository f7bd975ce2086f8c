import type { InventoryItem } from '../inventory/types.js';
import type { WriteEvent } from './events.js';
import { foreignAdmitted } from './principals.js';
import {
  fromItem,
  itemsOf,
  originOf,
  partOrigin,
  riskFor,
  type Candidate,
  type PersistenceCheck,
  type SweepContext,
} from './sweep.js';

/** Ports whose exposure to the internet is a way in: SSH, RDP, databases, and "all". */
const ADMIN_PORTS = [22, 3389, 5985, 5986, 3306, 5432, 1433, 6379, 9200, 27017];
const WORLD = new Set(['0.0.0.0/0', '::/0']);

/** A candidate for a part of an item (its policy, its grants), attributed from that part's writes. */
function part(
  ctx: SweepContext,
  item: InventoryItem,
  writes: string[],
  fields: Omit<Candidate, 'attribution' | 'eventIds' | 'firstSeen' | 'region' | 'account' | 'resource'> & {
    risky: boolean;
  },
  /** Writes to the part that do not name the item (a call on a default resource names none). */
  unnamed: WriteEvent[] = [],
): Candidate[] {
  const named = ctx.index.find(writes, [item.id, ...(item.arn ? [item.arn] : [])]);
  const all = [...named, ...unnamed.filter((e) => !named.some((n) => n.eventId === e.eventId))].sort(
    (a, b) => a.time.localeCompare(b.time) || a.eventId.localeCompare(b.eventId),
  );
  const origin = partOrigin(ctx, item, all);
  if (origin.attribution === 'pre-existing' && !fields.risky) return [];
  if (origin.attribution !== 'attacker' && !fields.risky && originOf(item) === 'pre-existing') return [];
  const { risky: _risky, ...rest } = fields;
  return [
    {
      ...rest,
      ...origin,
      risk: origin.attribution === 'attacker' ? 'critical' : rest.risk,
      region: item.region,
      account: item.account,
      resource: { type: item.type, id: item.id, region: item.region },
    },
  ];
}

/** `sharedWith` of a snapshot or an image: `all` (public) or account ids. */
function shares(item: InventoryItem, account: string): string[] {
  return ((item.data.sharedWith as string[] | undefined) ?? []).filter((s) => s !== account);
}

function shareCheck(type: string, word: string, attribute: string, unshare: string) {
  return (ctx: SweepContext): Candidate[] =>
    itemsOf(ctx, type).flatMap((i) => {
      const admits = [...shares(i, ctx.account), ...(i.data.public === true ? ['all'] : [])];
      if (admits.length === 0) return [];
      return part(ctx, i, [attribute], {
        name: i.id,
        arn: i.arn,
        admits: [...new Set(admits)],
        evidence: { sharedWith: admits },
        risk: admits.includes('all') ? 'high' : 'medium',
        risky: true,
        why: `${word} ${i.id} can be copied by ${admits.map((a) => (a === 'all' ? 'everyone (public)' : `account ${a}`)).join(', ')}`,
        remediation: `Remove the permission: ${unshare} ${i.id}.`,
      });
    });
}

function securityGroupIngress(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::EC2::SecurityGroup').flatMap((g) => {
    const rules =
      (g.data.ingress as
        { protocol?: string; fromPort?: number; toPort?: number; cidrs?: string[] }[] | undefined) ?? [];
    const open = rules.filter(
      (r) =>
        (r.cidrs ?? []).some((c) => WORLD.has(c)) &&
        (r.protocol === '-1' ||
          ADMIN_PORTS.some((p) => (r.fromPort ?? 0) <= p && p <= (r.toPort ?? r.fromPort ?? 0))),
    );
    if (open.length === 0) return [];
    const ports = open.map((r) =>
      r.protocol === '-1' ? 'all ports' : `${r.protocol}/${r.fromPort}-${r.toPort}`,
    );
    return part(
      ctx,
      g,
      ['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules', 'CreateSecurityGroup'],
      {
        name: `${g.name} (${g.id})`,
        arn: g.arn,
        admits: ['0.0.0.0/0'],
        evidence: { open },
        risk: 'medium',
        risky: true,
        why: `security group ${g.id} admits the internet on ${ports.join(', ')}`,
        remediation: `Revoke the rule (aws ec2 revoke-security-group-ingress --group-id ${g.id} …) or narrow it to known addresses.`,
      },
    );
  });
}

function bucketPolicies(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::S3::Bucket').flatMap((b) => {
    const admits = foreignAdmitted(b.data.policy, ctx.account);
    if (admits.length === 0 && originOf(b) !== 'attacker') return [];
    return part(ctx, b, ['PutBucketPolicy'], {
      name: b.id,
      arn: b.arn,
      owner: b.id,
      admits,
      evidence: b.data.policy,
      risk: admits.some((a) => a.startsWith('*')) ? 'high' : 'medium',
      risky: admits.length > 0,
      why: `the policy of bucket ${b.id} admits ${admits.join(', ') || 'what the attacker wrote'}`,
      remediation: `Restore the bucket policy from before the incident, or delete it: aws s3api delete-bucket-policy --bucket ${b.id}.`,
    });
  });
}

const PUBLIC_GROUPS = new Set(['AllUsers', 'AuthenticatedUsers']);

function bucketAcls(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::S3::Bucket').flatMap((b) => {
    const grants = (b.data.acl as { grantee: string; permission?: string }[] | null | undefined) ?? [];
    const owner = b.data.ownerCanonicalId;
    const others = grants.filter((g) => g.grantee !== owner && !g.grantee.startsWith('LogDelivery'));
    if (others.length === 0) return [];
    const admits = [...new Set(others.map((g) => g.grantee))];
    return part(ctx, b, ['PutBucketAcl'], {
      name: b.id,
      arn: b.arn,
      owner: b.id,
      admits,
      evidence: grants,
      risk: admits.some((a) => PUBLIC_GROUPS.has(a)) ? 'high' : 'medium',
      risky: true,
      why: `the ACL of bucket ${b.id} grants ${others.map((g) => `${g.permission ?? '?'} to ${g.grantee}`).join(', ')}`,
      remediation: `Reset the ACL to private (aws s3api put-bucket-acl --bucket ${b.id} --acl private) and keep Block Public Access on.`,
    });
  });
}

function lambdaUrls(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::Lambda::Function').flatMap((f) => {
    const url = f.data.url as { url?: string; authType?: string } | null | undefined;
    if (!url || url.authType !== 'NONE') return [];
    return part(ctx, f, ['CreateFunctionUrlConfig', 'UpdateFunctionUrlConfig'], {
      name: f.id,
      arn: f.arn,
      admits: ['*'],
      evidence: url,
      risk: 'high',
      risky: true,
      why: `function ${f.id} answers anyone on the internet at ${url.url ?? 'its URL'} (auth type NONE)`,
      remediation: `Delete the function URL (aws lambda delete-function-url-config --function-name ${f.id}) or set its auth type to AWS_IAM.`,
    });
  });
}

function lambdaPermissions(ctx: SweepContext): Candidate[] {
  return itemsOf(ctx, 'AWS::Lambda::Function').flatMap((f) => {
    const admits = foreignAdmitted(f.data.policy, ctx.account);
    if (admits.length === 0) return [];
    return part(ctx, f, ['AddPermission'], {
      name: f.id,
      arn: f.arn,
      admits,
      evidence: f.data.policy,
      risk: 'high',
      risky: true,
      why: `the resource policy of function ${f.id} lets ${admits.join(', ')} invoke it`,
      remediation: `Remove the statements (aws lambda remove-permission --function-name ${f.id} --statement-id …).`,
    });
  });
}

function lambdaEnvironment(ctx: SweepContext): Candidate[] {
  const changes = ctx.index
    .byName(['UpdateFunctionConfiguration'])
    .filter((e) => e.attacker && JSON.stringify(e.requestParameters ?? {}).includes('"environment"'));
  return itemsOf(ctx, 'AWS::Lambda::Function').flatMap((f) => {
    const mine = changes.filter((e) => e.strings.has(f.id) || (f.arn !== undefined && e.strings.has(f.arn)));
    if (mine.length === 0 || (originOf(f) === 'attacker' && f.attribution?.how === 'created')) return [];
    return [
      {
        ...fromItem(f, {
          why: `the compromised credentials changed the environment of function ${f.id} (variables ${((f.data.environmentNames as string[] | undefined) ?? []).join(', ') || 'none now'})`,
          risk: 'high',
          remediation: `Restore the function's environment from before the incident (the previous configuration is in the case's events).`,
          evidence: { environmentNames: f.data.environmentNames, changes: mine.map((e) => e.eventId) },
        }),
        attribution: 'attacker' as const,
        eventIds: mine.map((e) => e.eventId),
        firstSeen: mine[0]!.time,
      },
    ];
  });
}

function userData(ctx: SweepContext): Candidate[] {
  const changes = ctx.index.byName(['ModifyInstanceAttribute']).filter(
    (e) =>
      e.attacker &&
      JSON.stringify(e.requestParameters ?? {})
        .toLowerCase()
        .includes('userdata'),
  );
  return itemsOf(ctx, 'AWS::EC2::Instance').flatMap((i) => {
    const mine = changes.filter((e) => e.strings.has(i.id));
    if (mine.length === 0) return [];
    return [
      {
        ...fromItem(i, {
          why: `the compromised credentials replaced the user data of instance ${i.id}: it runs at the next start`,
          risk: 'critical',
          remediation: `Stop the instance and restore its user data from before the incident (aws ec2 modify-instance-attribute --user-data …), after keeping a snapshot.`,
          evidence: { userData: i.data.userData },
        }),
        attribution: 'attacker' as const,
        eventIds: mine.map((e) => e.eventId),
        firstSeen: mine[0]!.time,
      },
    ];
  });
}

/** Resources the attacker made or an unknown party made during the incident, of one type. */
function made(
  type: string,
  word: string,
  why: (i: InventoryItem) => string,
  remediation: (i: InventoryItem) => string,
  risky?: (i: InventoryItem, ctx: SweepContext) => string[],
) {
  return (ctx: SweepContext): Candidate[] =>
    itemsOf(ctx, type).flatMap((i) => {
      const admits = risky?.(i, ctx) ?? [];
      if (originOf(i) === 'pre-existing' && admits.length === 0) return [];
      return [
        fromItem(i, {
          admits: admits.length ? admits : undefined,
          why: `${word} ${i.name}: ${why(i)}${admits.length ? ` (reaches ${admits.join(', ')})` : ''}`,
          risk: riskFor(originOf(i), 'high', admits.length ? 'medium' : 'low'),
          remediation: remediation(i),
        }),
      ];
    });
}

function foreignTargets(i: InventoryItem, ctx: SweepContext): string[] {
  const targets = (i.data.targets as { arn?: string }[] | undefined) ?? [];
  return targets
    .map((t) => t.arn ?? '')
    .filter((arn) => /:(\d{12}):/.exec(arn)?.[1] !== undefined && !arn.includes(`:${ctx.account}:`));
}

/** The resource half of the persistence checklist (ATT&CK T1098.004, T1537, T1546, T1525, T1562). */
export const RESOURCE_CHECKS: PersistenceCheck[] = [
  {
    kind: 'key-pair',
    technique: 'T1098.004',
    title: 'EC2 key pairs',
    find: made(
      'AWS::EC2::KeyPair',
      'key pair',
      () => 'whoever holds its private key can log in to instances launched with it',
      (i) =>
        `Delete it (aws ec2 delete-key-pair --key-name ${i.id} --region ${i.region}) and check the instances launched with it.`,
    ),
  },
  { kind: 'user-data', technique: 'T1546', title: 'instance user data replaced', find: userData },
  {
    kind: 'snapshot-share',
    technique: 'T1537',
    title: 'EBS snapshots shared with other accounts',
    find: shareCheck(
      'AWS::EC2::Snapshot',
      'snapshot',
      'ModifySnapshotAttribute',
      'aws ec2 reset-snapshot-attribute --attribute createVolumePermission --snapshot-id',
    ),
  },
  {
    kind: 'ami-share',
    technique: 'T1537',
    title: 'AMIs shared with other accounts or public',
    find: shareCheck(
      'AWS::EC2::Image',
      'image',
      'ModifyImageAttribute',
      'aws ec2 reset-image-attribute --attribute launchPermission --image-id',
    ),
  },
  {
    kind: 'bucket-policy',
    technique: 'T1098',
    title: 'bucket policies admitting other accounts or everyone',
    find: bucketPolicies,
  },
  {
    kind: 'bucket-acl',
    technique: 'T1098',
    title: 'bucket ACLs granting other accounts or everyone',
    find: bucketAcls,
  },
  { kind: 'lambda-url', technique: 'T1546', title: 'public function URLs', find: lambdaUrls },
  {
    kind: 'lambda-permission',
    technique: 'T1546',
    title: 'function policies admitting others',
    find: lambdaPermissions,
  },
  {
    kind: 'lambda-layer',
    technique: 'T1525',
    title: 'new Lambda layers',
    find: made(
      'AWS::Lambda::LayerVersion',
      'layer',
      () => 'code it holds runs inside every function that uses it',
      (i) =>
        `Delete the layer version (aws lambda delete-layer-version --layer-name ${i.name} --version-number ${String(i.data.version)} --region ${i.region}) after keeping its content, and remove it from functions.`,
    ),
  },
  { kind: 'lambda-env', technique: 'T1546', title: 'function environments changed', find: lambdaEnvironment },
  {
    kind: 'eventbridge-rule',
    technique: 'T1546',
    title: 'EventBridge rules',
    find: made(
      'AWS::Events::Rule',
      'EventBridge rule',
      () => 'it runs its targets on every matching event',
      (i) => `Remove its targets and delete it (aws events delete-rule --name ${i.id} --region ${i.region}).`,
      foreignTargets,
    ),
  },
  {
    kind: 'event-bus-policy',
    technique: 'T1546',
    title: 'event bus policies admitting other accounts',
    find: (ctx) =>
      itemsOf(ctx, 'AWS::Events::EventBus').flatMap((b) => {
        const admits = foreignAdmitted(b.data.policy, ctx.account);
        if (admits.length === 0) return [];
        // PutPermission on the default bus may name no bus at all: it is that region's default one.
        const onDefault =
          b.id === 'default'
            ? ctx.index
                .byName(['PutPermission'])
                .filter(
                  (e) =>
                    e.region === b.region &&
                    !(e.requestParameters as { eventBusName?: unknown } | null)?.eventBusName,
                )
            : [];
        return part(
          ctx,
          b,
          ['PutPermission'],
          {
            name: b.id,
            arn: b.arn,
            admits,
            evidence: b.data.policy,
            risk: 'medium',
            risky: true,
            why: `the event bus ${b.id} in ${b.region} accepts events from ${admits.join(', ')}`,
            remediation: `Remove the statement (aws events remove-permission --statement-id … --region ${b.region}).`,
          },
          onDefault,
        );
      }),
  },
  {
    kind: 'ssm-document',
    technique: 'T1546',
    title: 'SSM documents made or shared',
    find: made(
      'AWS::SSM::Document',
      'SSM document',
      () => 'it can run commands on managed instances',
      (i) =>
        `Stop sharing it (aws ssm modify-document-permission --name ${i.id} --permission-type Share --account-ids-to-remove …) and delete it if it is not yours.`,
      (i, ctx) => ((i.data.sharedWith as string[] | undefined) ?? []).filter((a) => a !== ctx.account),
    ),
  },
  {
    kind: 'ssm-association',
    technique: 'T1053',
    title: 'SSM associations',
    find: made(
      'AWS::SSM::Association',
      'SSM association',
      (i) =>
        `runs ${String(i.data.document)} on ${((i.data.targets as string[] | undefined) ?? []).join(', ') || 'its targets'} on a schedule`,
      (i) => `Delete it: aws ssm delete-association --association-id ${i.id} --region ${i.region}.`,
    ),
  },
  {
    kind: 'stackset',
    technique: 'T1546',
    title: 'CloudFormation StackSets',
    find: made(
      'AWS::CloudFormation::StackSet',
      'StackSet',
      () => 'it deploys its template into other accounts and regions',
      (i) =>
        `Delete its stack instances, then the StackSet (aws cloudformation delete-stack-set --stack-set-name ${i.id}).`,
    ),
  },
  {
    kind: 'secret-policy',
    technique: 'T1098',
    title: 'secret policies admitting others',
    find: (ctx) =>
      itemsOf(ctx, 'AWS::SecretsManager::Secret').flatMap((s) => {
        const admits = foreignAdmitted(s.data.policy, ctx.account);
        if (admits.length === 0) return [];
        return part(ctx, s, ['PutResourcePolicy'], {
          name: s.id,
          arn: s.arn,
          admits,
          evidence: s.data.policy,
          risk: 'high',
          risky: true,
          why: `the policy of secret ${s.id} lets ${admits.join(', ')} read it`,
          remediation: `Delete the resource policy (aws secretsmanager delete-resource-policy --secret-id ${s.id}) and rotate the secret.`,
        });
      }),
  },
  {
    kind: 'security-group-ingress',
    technique: 'T1562.007',
    title: 'security groups open to the internet on admin ports',
    find: securityGroupIngress,
  },
  {
    kind: 'guardduty-suppression',
    technique: 'T1562.001',
    title: 'GuardDuty suppression rules, trusted IP lists and threat intel sets',
    find: (ctx) => [
      ...made(
        'AWS::GuardDuty::Filter',
        'GuardDuty filter',
        (i) =>
          i.data.action === 'ARCHIVE'
            ? 'it archives matching findings as they arrive'
            : 'it filters findings',
        (i) =>
          `Delete it: aws guardduty delete-filter --detector-id ${String(i.data.detectorId)} --filter-name ${i.id} --region ${i.region}.`,
      )(ctx),
      ...made(
        'AWS::GuardDuty::IPSet',
        'GuardDuty trusted IP list',
        () => 'no finding is raised for the addresses it lists',
        (i) =>
          `Delete it: aws guardduty delete-ip-set --detector-id ${String(i.data.detectorId)} --ip-set-id ${i.id} --region ${i.region}.`,
      )(ctx),
      ...made(
        'AWS::GuardDuty::ThreatIntelSet',
        'GuardDuty threat intel set',
        () => 'an unreviewed input to detection: it can flood findings that bury the real ones',
        (i) =>
          `Delete it: aws guardduty delete-threat-intel-set --detector-id ${String(i.data.detectorId)} --threat-intel-set-id ${i.id} --region ${i.region}.`,
      )(ctx),
    ],
  },
];
