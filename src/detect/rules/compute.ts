import { SUCCEEDED, and, api, apiOf, lit, matches, not, or, req } from '../sql.js';
import { rules } from './types.js';

const LAUNCH_CALLS = [
  'RunInstances',
  'RequestSpotInstances',
  'RequestSpotFleet',
  'CreateFleet',
  'RunScheduledInstances',
];
const LAUNCH = api('ec2', ...LAUNCH_CALLS);
/** LAUNCH stated on the outer event of a sub-query (see `apiOf`). */
const LAUNCH_OF_E = apiOf('e', 'ec2', ...LAUNCH_CALLS);
/**
 * Some key other than the launch's (`e`) had used its account's region before it (NULL: none
 * known). Each key's first call in the region, ranked: the earliest key and its time, and the
 * second earliest time (any other key's first call).
 */
const OTHER_KEY_EARLIER = `SELECT CASE WHEN m.key1 = coalesce(e.useridentity.accesskeyid, '') THEN m.first2 < e.eventtime ELSE m.first1 < e.eventtime END
  FROM (SELECT account, region, max(CASE WHEN n = 1 THEN accesskey END) AS key1,
          max(CASE WHEN n = 1 THEN first END) AS first1, max(CASE WHEN n = 2 THEN first END) AS first2
        FROM (SELECT f.*, row_number() OVER (PARTITION BY account, region ORDER BY first) AS n
              FROM (SELECT p.recipientaccountid AS account, p.awsregion AS region, coalesce(p.useridentity.accesskeyid, '') AS accesskey,
                      min(p.eventtime) AS first FROM cloudtrail_events p GROUP BY 1, 2, 3) f) r
        GROUP BY 1, 2) m
  WHERE ${LAUNCH_OF_E} AND m.account = e.recipientaccountid AND m.region = e.awsregion`;
const INSTANCE_TYPE = `coalesce(${req('instanceType')}, ${req('launchSpecification.instanceType')})`;
// Accelerated families (GPU, Inferentia, Trainium, FPGA, video): what miners and LLM abusers rent.
const GPU_TYPE = matches(
  INSTANCE_TYPE,
  '^(p[0-9]|g[0-9]|inf[0-9]|trn[0-9]|dl[0-9]|f[0-9]|vt[0-9])[a-z0-9-]*\\.',
);
const HUGE_TYPE = matches(
  INSTANCE_TYPE,
  '\\.(metal|(9|1[0-9]|2[0-9]|3[0-9]|4[0-9]|5[0-9]|9[0-9]|1[0-9][0-9])xlarge)',
);
const MANY = `coalesce(try_cast(${req('instancesSet.items[0].maxCount')} AS INTEGER), 0) >= 10`;
/** An instance-profile session: the session name is the instance id (`…:i-0abc…`). */
const INSTANCE_ROLE = and(
  `useridentity.type = 'AssumedRole'`,
  matches('useridentity.principalid', ':i-[0-9a-zA-Z]{8,}$'),
);

/** An internet address (not a private range, not a service name or "AWS Internal"). */
const PUBLIC_ADDRESS = and(
  matches('sourceipaddress', '^[0-9a-fA-F:.]+$'),
  not(matches('sourceipaddress', '^(10\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|192\\.168\\.|127\\.|fd|fe80)')),
);

/** Compute and code: instances, Lambda, SSM, SageMaker, Bedrock, remote access. */
export const COMPUTE_RULES = rules([
  {
    id: 'ec2-crypto-mining-launch',
    title: 'GPU instances launched',
    category: 'crypto-mining',
    technique: 'T1496',
    tactic: 'impact',
    severity: 'critical',
    where: and(LAUNCH, GPU_TYPE, SUCCEEDED),
    explain: 'Accelerated instances are what miners rent.',
    remediation: 'Stop them (snapshot first), and check every region for more.',
  },
  {
    id: 'ec2-unusual-instances',
    title: 'Unusual EC2 instances requested (GPU, very large or many)',
    category: 'execution',
    technique: 'T1578.002',
    tactic: 'defense-evasion',
    severity: 'high',
    where: and(LAUNCH, or(GPU_TYPE, HUGE_TYPE, MANY)),
    explain: 'Large or accelerated instance requests, even refused ones, show intent to run compute.',
    remediation: 'Check quotas and running instances in all regions.',
  },
  {
    id: 'ec2-instances-launched',
    title: 'EC2 instances launched',
    category: 'resource-creation',
    technique: 'T1578.002',
    tactic: 'defense-evasion',
    severity: 'low',
    where: and(LAUNCH, SUCCEEDED),
    explain: 'New instances cost money and can host attacker tools.',
    remediation: 'Attribute each one to its creator.',
  },
  {
    id: 'ec2-launch-new-region',
    title: 'Instances launched in a region the account did not use before',
    category: 'resource-creation',
    technique: 'T1535',
    tactic: 'defense-evasion',
    severity: 'medium',
    // e is the outer row (see engine.ts): no other key used the region before this launch. Per
    // account and region, aggregated once (uncorrelated): the earliest key's first call, and the
    // first call of any other key; the launch's key compares with the one that is not its own.
    // (Joining every launch to every key of its region made 8.3 million rows on a 1M store.)
    where: and(LAUNCH, `NOT coalesce((${OTHER_KEY_EARLIER}), false)`),
    explain: 'Attackers launch in regions nobody watches.',
    remediation: 'List and stop instances there.',
  },
  {
    id: 'ec2-instance-credentials-outside',
    title: 'Instance-role credentials used from an address also used by a person',
    category: 'credential-access',
    technique: 'T1552.005',
    tactic: 'credential-access',
    severity: 'high',
    // The people's addresses are one uncorrelated set (a hash semi-join): the correlated EXISTS it
    // replaces ran for minutes on a million records sharing a few addresses.
    where: and(
      INSTANCE_ROLE,
      `e.sourceipaddress IN (SELECT o.sourceipaddress FROM cloudtrail_events o WHERE o.useridentity.type IN ('IAMUser', 'Root', 'FederatedUser') AND o.sourceipaddress NOT LIKE '%amazonaws.com' AND o.sourceipaddress <> 'AWS Internal')`,
    ),
    explain: 'Credentials of an instance profile were taken off the instance.',
    remediation: "Revoke the role's sessions (AWSRevokeOlderSessions) and require IMDSv2.",
  },
  {
    id: 'ec2-instance-credentials-foreign-endpoint',
    title: 'Instance-role credentials used through another account’s VPC endpoint',
    category: 'credential-access',
    technique: 'T1552.005',
    tactic: 'credential-access',
    severity: 'high',
    where: and(
      INSTANCE_ROLE,
      `coalesce(vpcendpointaccountid, '') <> ''`,
      `vpcendpointaccountid <> recipientaccountid`,
    ),
    explain: 'The instance’s credentials were used from inside another AWS account’s network.',
    remediation:
      "Revoke the role's sessions (AWSRevokeOlderSessions), require IMDSv2 and check the instance for the theft.",
  },
  {
    id: 'ec2-instance-credentials-many-addresses',
    title: 'Instance-role credentials used from several public addresses',
    category: 'credential-access',
    technique: 'T1552.005',
    tactic: 'credential-access',
    severity: 'high',
    where: and(INSTANCE_ROLE, PUBLIC_ADDRESS),
    threshold: { count: 2, withinMinutes: 60, distinct: 'sourceipaddress' },
    explain:
      'An instance calls AWS from one address; a second one within the hour is someone else using its credentials.',
    remediation:
      "Revoke the role's sessions (AWSRevokeOlderSessions), require IMDSv2 and check the instance for the theft.",
  },
  {
    id: 'ec2-user-data-modified',
    title: 'Instance user data replaced',
    category: 'execution',
    technique: 'T1059.009',
    tactic: 'execution',
    severity: 'high',
    where: and(
      api('ec2', 'ModifyInstanceAttribute'),
      or(`${req('attribute')} = 'userData'`, `strpos(coalesce(requestparameters, ''), '"userData"') > 0`),
    ),
    explain: 'User data runs as root at the next boot.',
    remediation: 'Read the new script and restore the old one before restarting.',
  },
  {
    id: 'ec2-user-data-read',
    title: 'Instance user data read',
    category: 'recon',
    technique: 'T1552.005',
    tactic: 'credential-access',
    severity: 'low',
    where: and(api('ec2', 'DescribeInstanceAttribute'), `${req('attribute')} = 'userData'`),
    explain: 'User data often holds secrets.',
    remediation: 'Rotate any found there.',
  },
  {
    id: 'ec2-password-data',
    title: 'Windows administrator password data requested',
    category: 'credential-access',
    technique: 'T1552.005',
    tactic: 'credential-access',
    severity: 'medium',
    where: api('ec2', 'GetPasswordData'),
    explain: 'GetPasswordData yields the encrypted Administrator password.',
    remediation: 'Rotate it on the instances named.',
  },
  {
    id: 'ec2-console-screenshot',
    title: 'Instance console screenshots requested',
    category: 'data-access',
    technique: 'T1113',
    tactic: 'collection',
    severity: 'medium',
    where: api('ec2', 'GetConsoleScreenshot'),
    explain: 'Screenshots can show consoles and secrets.',
    remediation: 'Check which instances were targeted.',
  },
  {
    id: 'ec2-ami-deregistered',
    title: 'AMI deregistered',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    severity: 'low',
    where: api('ec2', 'DeregisterImage'),
    explain: 'Images needed for recovery may be gone.',
    remediation: 'Check backups.',
  },
  {
    id: 'ec2-instance-connect-key',
    title: 'SSH key pushed with EC2 Instance Connect',
    category: 'lateral-movement',
    technique: 'T1021.004',
    tactic: 'lateral-movement',
    severity: 'medium',
    where: api('ec2-instance-connect', 'SendSSHPublicKey'),
    explain: 'Someone logged in to the instance over SSH.',
    remediation: 'Review the instance for changes.',
  },
  {
    id: 'ec2-serial-console',
    title: 'EC2 serial console enabled or used',
    category: 'lateral-movement',
    technique: 'T1021',
    tactic: 'lateral-movement',
    severity: 'high',
    where: or(
      api('ec2-instance-connect', 'SendSerialConsoleSSHPublicKey'),
      api('ec2', 'EnableSerialConsoleAccess'),
    ),
    explain: 'The serial console bypasses network controls.',
    remediation: 'Disable serial console access and review the instance.',
  },
  {
    id: 'ec2-key-pair-imported',
    title: 'EC2 key pair imported or created',
    category: 'persistence',
    technique: 'T1098.004',
    tactic: 'persistence',
    severity: 'low',
    where: api('ec2', 'ImportKeyPair', 'CreateKeyPair'),
    explain: 'A new SSH key can open future instances.',
    remediation: 'Delete key pairs nobody owns.',
  },
  {
    id: 'ssm-send-command',
    title: 'Command run on instances through SSM',
    category: 'execution',
    technique: 'T1651',
    tactic: 'execution',
    severity: 'medium',
    where: api('ssm', 'SendCommand'),
    explain: 'Commands ran as root on the targeted instances.',
    remediation: 'Read the document and parameters, and isolate the instances.',
  },
  {
    id: 'ssm-start-session',
    title: 'SSM Session Manager session opened',
    category: 'execution',
    technique: 'T1651',
    tactic: 'execution',
    severity: 'medium',
    where: api('ssm', 'StartSession', 'ResumeSession'),
    explain: 'An interactive shell on the instance.',
    remediation: 'Review session logs if enabled.',
  },
  {
    id: 'cloudformation-stack-created',
    title: 'CloudFormation stack created',
    category: 'resource-creation',
    technique: 'T1578',
    tactic: 'defense-evasion',
    severity: 'low',
    where: api('cloudformation', 'CreateStack', 'CreateStackSet', 'CreateStackInstances'),
    explain: 'A stack can create anything.',
    remediation: 'Read its template and resources.',
  },
  {
    id: 'sagemaker-lifecycle-changed',
    title: 'SageMaker notebook lifecycle configuration changed',
    category: 'privilege-escalation',
    technique: 'T1098',
    tactic: 'privilege-escalation',
    severity: 'medium',
    where: or(
      api('sagemaker', 'CreateNotebookInstanceLifecycleConfig', 'UpdateNotebookInstanceLifecycleConfig'),
      and(api('sagemaker', 'UpdateNotebookInstance'), `${req('lifecycleConfigName')} IS NOT NULL`),
    ),
    explain: "The script runs with the notebook's execution role at start.",
    remediation: 'Read it and restore the previous configuration.',
  },
  {
    id: 'instance-role-enumeration',
    title: 'Instance role used for discovery calls',
    category: 'recon',
    technique: 'T1580',
    tactic: 'discovery',
    severity: 'medium',
    where: and(
      INSTANCE_ROLE,
      `eventname IN ('ListBuckets', 'GetAccountSummary', 'ListRoles', 'ListUsers', 'GetAccountAuthorizationDetails', 'DescribeSnapshots', 'DescribeTrails', 'ListDetectors', 'GetCallerIdentity')`,
      not(`eventsource = ${lit('ssm.amazonaws.com')}`),
    ),
    threshold: { count: 3, withinMinutes: 15, distinct: 'eventname' },
    explain: 'An instance is mapping the account, which its workload rarely does.',
    remediation: 'Inspect the instance.',
  },
]);
