import { SUCCEEDED, and, api, lit, matches, not, or, req } from '../sql.js';
import { rules } from './types.js';

const LAUNCH = api(
  'ec2',
  'RunInstances',
  'RequestSpotInstances',
  'RequestSpotFleet',
  'CreateFleet',
  'RunScheduledInstances',
);
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
const PUBLIC_CIDR = matches('requestparameters', '"cidrIp(v6)?"\\s*:\\s*"[^"]*/0"');

/** Compute and code: instances, Lambda, SSM, SageMaker, Bedrock, remote access. */
export const COMPUTE_RULES = rules([
  {
    id: 'ec2-crypto-mining-launch',
    title: 'GPU instances launched',
    category: 'crypto-mining',
    technique: 'T1496',
    severity: 'critical',
    where: and(LAUNCH, GPU_TYPE, SUCCEEDED),
    explain:
      'Accelerated instances are what miners rent: stop them (snapshot first), and check every region for more.',
  },
  {
    id: 'ec2-unusual-instances',
    title: 'Unusual EC2 instances requested (GPU, very large or many)',
    category: 'execution',
    technique: 'T1578.002',
    severity: 'high',
    where: and(LAUNCH, or(GPU_TYPE, HUGE_TYPE, MANY)),
    explain:
      'Large or accelerated instance requests, even refused ones, show intent to run compute: check quotas and running instances in all regions.',
  },
  {
    id: 'ec2-instances-launched',
    title: 'EC2 instances launched',
    category: 'resource-creation',
    technique: 'T1578.002',
    severity: 'low',
    where: and(LAUNCH, SUCCEEDED),
    explain: 'New instances cost money and can host attacker tools: attribute each one to its creator.',
  },
  {
    id: 'ec2-launch-new-region',
    title: 'Instances launched in a region the account did not use before',
    category: 'resource-creation',
    technique: 'T1535',
    severity: 'medium',
    // e is the outer row (see engine.ts). The first use of each region by each key is aggregated
    // once (uncorrelated) so the check is an equi-join, not a scan per launch.
    where: and(
      LAUNCH,
      `NOT EXISTS (SELECT 1 FROM (SELECT p.recipientaccountid AS account, p.awsregion AS region, coalesce(p.useridentity.accesskeyid, '') AS accesskey, min(p.eventtime) AS first FROM cloudtrail_events p GROUP BY 1, 2, 3) f WHERE f.account = e.recipientaccountid AND f.region = e.awsregion AND f.accesskey <> coalesce(e.useridentity.accesskeyid, '') AND f.first < e.eventtime)`,
    ),
    explain: 'Attackers launch in regions nobody watches: list and stop instances there.',
  },
  {
    id: 'ec2-instance-credentials-outside',
    title: 'Instance-role credentials used from an address also used by a person',
    category: 'credential-access',
    technique: 'T1552.005',
    severity: 'high',
    where: and(
      INSTANCE_ROLE,
      `EXISTS (SELECT 1 FROM cloudtrail_events o WHERE o.sourceipaddress = e.sourceipaddress AND o.useridentity.type IN ('IAMUser', 'Root', 'FederatedUser') AND o.sourceipaddress NOT LIKE '%amazonaws.com' AND o.sourceipaddress <> 'AWS Internal')`,
    ),
    explain:
      "Credentials of an instance profile were taken off the instance: revoke the role's sessions (AWSRevokeOlderSessions) and require IMDSv2.",
  },
  {
    id: 'ec2-user-data-modified',
    title: 'Instance user data replaced',
    category: 'execution',
    technique: 'T1059.009',
    severity: 'high',
    where: and(
      api('ec2', 'ModifyInstanceAttribute'),
      or(`${req('attribute')} = 'userData'`, `strpos(coalesce(requestparameters, ''), '"userData"') > 0`),
    ),
    explain:
      'User data runs as root at the next boot: read the new script and restore the old one before restarting.',
  },
  {
    id: 'ec2-user-data-read',
    title: 'Instance user data read',
    category: 'recon',
    technique: 'T1552.005',
    severity: 'low',
    where: and(api('ec2', 'DescribeInstanceAttribute'), `${req('attribute')} = 'userData'`),
    explain: 'User data often holds secrets: rotate any found there.',
  },
  {
    id: 'ec2-password-data',
    title: 'Windows administrator password data requested',
    category: 'credential-access',
    technique: 'T1552.005',
    severity: 'medium',
    where: api('ec2', 'GetPasswordData'),
    explain: 'GetPasswordData yields the encrypted Administrator password: rotate it on the instances named.',
  },
  {
    id: 'ec2-console-screenshot',
    title: 'Instance console screenshots requested',
    category: 'data-access',
    technique: 'T1113',
    severity: 'medium',
    where: api('ec2', 'GetConsoleScreenshot'),
    explain: 'Screenshots can show consoles and secrets: check which instances were targeted.',
  },
  {
    id: 'ec2-security-group-open',
    title: 'Security group opened to the whole internet',
    category: 'exfiltration',
    technique: 'T1048',
    severity: 'high',
    where: and(api('ec2', 'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress'), PUBLIC_CIDR),
    explain:
      'A /0 rule opens a path in or out of the network: revoke the rule (securityGroupRuleId in the response).',
  },
  {
    id: 'ec2-snapshot-shared',
    title: 'EBS snapshot shared with another account or made public',
    category: 'exfiltration',
    technique: 'T1537',
    severity: 'high',
    where: and(api('ec2', 'ModifySnapshotAttribute'), matches('requestparameters', '"add"\\s*:')),
    explain:
      'The disk contents can be copied by the other account: remove the permission and treat the data as disclosed.',
  },
  {
    id: 'ec2-ami-shared',
    title: 'AMI shared with another account or made public',
    category: 'exfiltration',
    technique: 'T1537',
    severity: 'high',
    where: and(api('ec2', 'ModifyImageAttribute'), matches('requestparameters', '"add"\\s*:')),
    explain: 'The image and its disks can be launched elsewhere: remove the launch permission.',
  },
  {
    id: 'rds-snapshot-shared',
    title: 'RDS snapshot shared with another account or made public',
    category: 'exfiltration',
    technique: 'T1537',
    severity: 'high',
    where: and(
      api('rds', 'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'),
      `${req('attributeName')} = 'restore'`,
      matches('requestparameters', '"valuesToAdd"\\s*:\\s*\\[\\s*"'),
    ),
    explain:
      'The database copy can be restored by the other account: remove the restore permission and treat the data as disclosed.',
  },
  {
    id: 'ec2-ami-deregistered',
    title: 'AMI deregistered',
    category: 'impact',
    technique: 'T1485',
    severity: 'low',
    where: api('ec2', 'DeregisterImage'),
    explain: 'Images needed for recovery may be gone: check backups.',
  },
  {
    id: 'ec2-instance-connect-key',
    title: 'SSH key pushed with EC2 Instance Connect',
    category: 'lateral-movement',
    technique: 'T1021.004',
    severity: 'medium',
    where: api('ec2-instance-connect', 'SendSSHPublicKey'),
    explain: 'Someone logged in to the instance over SSH: review the instance for changes.',
  },
  {
    id: 'ec2-serial-console',
    title: 'EC2 serial console enabled or used',
    category: 'lateral-movement',
    technique: 'T1021',
    severity: 'high',
    where: or(
      api('ec2-instance-connect', 'SendSerialConsoleSSHPublicKey'),
      api('ec2', 'EnableSerialConsoleAccess'),
    ),
    explain:
      'The serial console bypasses network controls: disable serial console access and review the instance.',
  },
  {
    id: 'ec2-key-pair-imported',
    title: 'EC2 key pair imported or created',
    category: 'persistence',
    technique: 'T1098.004',
    severity: 'low',
    where: api('ec2', 'ImportKeyPair', 'CreateKeyPair'),
    explain: 'A new SSH key can open future instances: delete key pairs nobody owns.',
  },
  {
    id: 'ssm-send-command',
    title: 'Command run on instances through SSM',
    category: 'execution',
    technique: 'T1651',
    severity: 'medium',
    where: api('ssm', 'SendCommand'),
    explain:
      'Commands ran as root on the targeted instances: read the document and parameters, and isolate the instances.',
  },
  {
    id: 'ssm-start-session',
    title: 'SSM Session Manager session opened',
    category: 'execution',
    technique: 'T1651',
    severity: 'medium',
    where: api('ssm', 'StartSession', 'ResumeSession'),
    explain: 'An interactive shell on the instance: review session logs if enabled.',
  },
  {
    id: 'lambda-public-permission',
    title: 'Lambda function made invocable by everyone or another account',
    category: 'persistence',
    technique: 'T1546',
    severity: 'high',
    where: and(
      api('lambda', 'AddPermission'),
      or(
        `${req('principal')} = '*'`,
        `regexp_like(coalesce(${req('principal')}, ''), '^[0-9]{12}$') AND ${req('principal')} <> recipientaccountid`,
      ),
    ),
    explain: 'The function is a door into the account: remove the statement (statementId in the request).',
  },
  {
    id: 'lambda-public-url',
    title: 'Lambda function URL without authentication',
    category: 'persistence',
    technique: 'T1546',
    severity: 'high',
    where: and(
      api('lambda', 'CreateFunctionUrlConfig', 'UpdateFunctionUrlConfig'),
      `${req('authType')} = 'NONE'`,
    ),
    explain: 'Anyone on the internet can call the function: delete the URL config.',
  },
  {
    id: 'lambda-code-updated',
    title: 'Lambda function code replaced',
    category: 'persistence',
    technique: 'T1525',
    severity: 'medium',
    where: api('lambda', 'UpdateFunctionCode'),
    explain:
      "New code runs with the function's role: download the current package as evidence and redeploy the known version.",
  },
  {
    id: 'lambda-layer-added',
    title: 'Lambda layer or extension attached',
    category: 'persistence',
    technique: 'T1525',
    severity: 'medium',
    where: and(
      api('lambda', 'UpdateFunctionConfiguration', 'CreateFunction'),
      matches('requestparameters', '"layers"\\s*:\\s*\\[\\s*"'),
    ),
    explain: "A layer can wrap every invocation (extensions see requests): check the layer's owner account.",
  },
  {
    id: 'lambda-function-created',
    title: 'Lambda function created',
    category: 'resource-creation',
    technique: 'T1648',
    severity: 'low',
    where: and(api('lambda', 'CreateFunction'), SUCCEEDED),
    explain: 'New code in the account: attribute it and check its role.',
  },
  {
    id: 'cloudformation-stack-created',
    title: 'CloudFormation stack created',
    category: 'resource-creation',
    technique: 'T1578',
    severity: 'low',
    where: api('cloudformation', 'CreateStack', 'CreateStackSet', 'CreateStackInstances'),
    explain: 'A stack can create anything: read its template and resources.',
  },
  {
    id: 'sagemaker-lifecycle-changed',
    title: 'SageMaker notebook lifecycle configuration changed',
    category: 'privilege-escalation',
    technique: 'T1098',
    severity: 'medium',
    where: or(
      api('sagemaker', 'CreateNotebookInstanceLifecycleConfig', 'UpdateNotebookInstanceLifecycleConfig'),
      and(api('sagemaker', 'UpdateNotebookInstance'), `${req('lifecycleConfigName')} IS NOT NULL`),
    ),
    explain:
      "The script runs with the notebook's execution role at start: read it and restore the previous configuration.",
  },
  {
    id: 'bedrock-model-access',
    title: 'Bedrock model access enabled',
    category: 'impact',
    technique: 'T1496',
    severity: 'high',
    where: api(
      'bedrock',
      'PutFoundationModelEntitlement',
      'CreateFoundationModelAgreement',
      'PutUseCaseForModelAccess',
    ),
    explain: 'LLM-jacking starts by unlocking models: revoke the entitlement and watch the Bedrock bill.',
  },
  {
    id: 'bedrock-invoke-model',
    title: 'Bedrock model invoked',
    category: 'impact',
    technique: 'T1496',
    severity: 'medium',
    where: api('bedrock', 'InvokeModel', 'InvokeModelWithResponseStream', 'Converse', 'ConverseStream'),
    explain: 'Model calls are billed to the account: check if this principal normally uses Bedrock.',
  },
  {
    id: 'bedrock-multi-region',
    title: 'Bedrock probed in several regions',
    category: 'recon',
    technique: 'T1580',
    severity: 'medium',
    where: api(
      'bedrock',
      'InvokeModel',
      'InvokeModelWithResponseStream',
      'ListFoundationModels',
      'GetFoundationModelAvailability',
    ),
    threshold: { count: 3, withinMinutes: 60, distinct: 'awsregion' },
    explain:
      'Checking which regions serve a model is LLM-jacking reconnaissance: block Bedrock with an SCP where unused.',
  },
  {
    id: 'ses-enumeration',
    title: 'SES sending limits and identities enumerated',
    category: 'recon',
    technique: 'T1580',
    severity: 'medium',
    where: api(
      'ses',
      'GetAccountSendingEnabled',
      'GetSendQuota',
      'ListIdentities',
      'GetAccount',
      'ListEmailIdentities',
      'GetIdentityVerificationAttributes',
    ),
    explain: 'Spammers check whether stolen keys can send mail: watch SES sending statistics.',
  },
  {
    id: 'instance-role-enumeration',
    title: 'Instance role used for discovery calls',
    category: 'recon',
    technique: 'T1580',
    severity: 'medium',
    where: and(
      INSTANCE_ROLE,
      `eventname IN ('ListBuckets', 'GetAccountSummary', 'ListRoles', 'ListUsers', 'GetAccountAuthorizationDetails', 'DescribeSnapshots', 'DescribeTrails', 'ListDetectors', 'GetCallerIdentity')`,
      not(`eventsource = ${lit('ssm.amazonaws.com')}`),
    ),
    threshold: { count: 3, withinMinutes: 15, distinct: 'eventname' },
    explain: 'An instance is mapping the account, which its workload rarely does: inspect the instance.',
  },
]);
