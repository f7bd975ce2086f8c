import { call, times, type CallSpec } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

/** RunInstances as EC2 records it (instancesSet items, the type at the top level). */
const launch = (type: string, count = 1, more: Omit<CallSpec, 'api' | 'request'> = {}): CallSpec =>
  call(
    'ec2:RunInstances',
    {
      instancesSet: { items: [{ imageId: 'ami-0e2c8caa4b6378d8c', minCount: 1, maxCount: count }] },
      instanceType: type,
      blockDeviceMapping: {},
      monitoring: { enabled: false },
      disableApiTermination: false,
      disableApiStop: false,
      clientToken: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    },
    {
      response: more.error
        ? undefined
        : { instancesSet: { items: [{ instanceId: 'i-0abcd1234efgh5678', instanceType: type }] } },
      ...more,
    },
  );

/** A call made with an instance profile's session (the session name is the instance id). */
const fromInstance = (
  api: string,
  more: Omit<CallSpec, 'api' | 'request'> = {},
  request: Record<string, unknown> | null = null,
): CallSpec => call(api, request, { as: 'Instance', ...more });

/** EC2, SSM, CloudFormation, SageMaker: instances, their credentials and remote access. */
export const COMPUTE_SAMPLES: Sample[] = [
  fires('ec2-crypto-mining-launch', 'GPU instances launched', launch('p4d.24xlarge', 4)),
  quiet('ec2-crypto-mining-launch', 'a general-purpose instance launched', launch('m7i.large')),
  fires(
    'ec2-unusual-instances',
    'twenty huge instances requested and refused',
    launch('c7i.48xlarge', 20, {
      error: ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'],
    }),
  ),
  quiet('ec2-unusual-instances', 'two medium instances launched', launch('m7i.large', 2)),
  fires('ec2-instances-launched', 'an instance launched', launch('t3.micro')),
  quiet(
    'ec2-instances-launched',
    'instances described',
    call('ec2:DescribeInstances', { instancesSet: {}, filterSet: {} }),
  ),
  fires(
    'ec2-launch-new-region',
    'the account’s first launch in ap-south-2',
    call('ec2:DescribeInstances', null, { at: -2880 }),
    launch('t3.micro', 1, { region: 'ap-south-2' }),
  ),
  quiet(
    'ec2-launch-new-region',
    'a launch where the account’s CI role works every day',
    call('ec2:DescribeInstances', null, { at: -2880, region: 'ap-south-2', as: 'AssumedRole' }),
    launch('t3.micro', 1, { region: 'ap-south-2' }),
  ),
  fires(
    'ec2-instance-credentials-outside',
    'an instance’s session used from the address a person also uses',
    call('iam:ListUsers', null, { ip: '{IP}' }),
    fromInstance('s3:ListBuckets', { at: 2, ip: '{IP}' }, { Host: 's3.amazonaws.com' }),
  ),
  quiet(
    'ec2-instance-credentials-outside',
    'an instance’s session and a person on different addresses',
    call('iam:ListUsers', null, { ip: '{IP}' }),
    fromInstance('s3:ListBuckets', { at: 2, ip: '{IP2}' }, { Host: 's3.amazonaws.com' }),
  ),
  fires(
    'ec2-instance-credentials-foreign-endpoint',
    'an instance’s session used through another account’s VPC endpoint',
    fromInstance(
      's3:ListBuckets',
      { extra: { vpcEndpointId: 'vpce-0a1b2c3d4e5f67890', vpcEndpointAccountId: '{FOREIGN}' } },
      { Host: 's3.amazonaws.com' },
    ),
  ),
  quiet(
    'ec2-instance-credentials-foreign-endpoint',
    'an instance’s session through the account’s own endpoint',
    fromInstance(
      's3:ListBuckets',
      { extra: { vpcEndpointId: 'vpce-0a1b2c3d4e5f67890', vpcEndpointAccountId: '{ACCOUNT}' } },
      { Host: 's3.amazonaws.com' },
    ),
  ),
  fires(
    'ec2-instance-credentials-many-addresses',
    'an instance’s session used from a second public address within the hour',
    fromInstance('sts:GetCallerIdentity', { ip: '{IP}' }),
    fromInstance('s3:ListBuckets', { ip: '{IP2}', at: 20 }, { Host: 's3.amazonaws.com' }),
  ),
  quiet(
    'ec2-instance-credentials-many-addresses',
    'an instance’s session from its public address and through a private endpoint',
    fromInstance('sts:GetCallerIdentity', { ip: '{IP}' }),
    fromInstance('s3:ListBuckets', { ip: '10.0.12.34', at: 20 }, { Host: 's3.amazonaws.com' }),
  ),
  fires(
    'ec2-user-data-modified',
    'an instance’s user data replaced',
    call('ec2:ModifyInstanceAttribute', {
      instanceId: 'i-0abcd1234efgh5678',
      userData: '<sensitiveDataRemoved>',
    }),
  ),
  quiet(
    'ec2-user-data-modified',
    'an instance’s type changed',
    call('ec2:ModifyInstanceAttribute', {
      instanceId: 'i-0abcd1234efgh5678',
      instanceType: { value: 'm7i.xlarge' },
    }),
  ),
  fires(
    'ec2-user-data-read',
    'user data read',
    call('ec2:DescribeInstanceAttribute', { instanceId: 'i-0abcd1234efgh5678', attribute: 'userData' }),
  ),
  quiet(
    'ec2-user-data-read',
    'the instance type read',
    call('ec2:DescribeInstanceAttribute', { instanceId: 'i-0abcd1234efgh5678', attribute: 'instanceType' }),
  ),
  fires(
    'ec2-password-data',
    'Windows password data requested',
    call('ec2:GetPasswordData', { instanceId: 'i-0abcd1234efgh5678' }),
  ),
  quiet(
    'ec2-password-data',
    'the console output read',
    call('ec2:GetConsoleOutput', { instanceId: 'i-0abcd1234efgh5678' }),
  ),
  fires(
    'ec2-console-screenshot',
    'a console screenshot taken',
    call('ec2:GetConsoleScreenshot', { instanceId: 'i-0abcd1234efgh5678', wakeUp: true }),
  ),
  quiet(
    'ec2-console-screenshot',
    'the console output read',
    call('ec2:GetConsoleOutput', { instanceId: 'i-0abcd1234efgh5678', latest: true }),
  ),
  fires(
    'ec2-ami-deregistered',
    'an image deregistered',
    call('ec2:DeregisterImage', { imageId: 'ami-0e2c8caa4b6378d8c' }),
  ),
  quiet(
    'ec2-ami-deregistered',
    'images described',
    call('ec2:DescribeImages', { imagesSet: { items: [{ imageId: 'ami-0e2c8caa4b6378d8c' }] } }),
  ),
  fires(
    'ec2-instance-connect-key',
    'an SSH key pushed for 60 seconds',
    call('ec2-instance-connect:SendSSHPublicKey', {
      instanceId: 'i-0abcd1234efgh5678',
      instanceOSUser: 'ec2-user',
      sSHPublicKey: 'ssh-ed25519 AAAAC3Nz…',
    }),
  ),
  quiet(
    'ec2-instance-connect-key',
    'Instance Connect endpoints described',
    call('ec2:DescribeInstanceConnectEndpoints', {}),
  ),
  fires('ec2-serial-console', 'serial console access enabled', call('ec2:EnableSerialConsoleAccess', {})),
  quiet(
    'ec2-serial-console',
    'serial console access status read',
    call('ec2:GetSerialConsoleAccessStatus', {}),
  ),
  fires(
    'ec2-key-pair-imported',
    'a key pair imported',
    call('ec2:ImportKeyPair', { keyName: 'ops', publicKeyMaterial: 'c3NoLWVkMjU1MTkgQUFBQUMzTnph…' }),
  ),
  quiet('ec2-key-pair-imported', 'a key pair deleted', call('ec2:DeleteKeyPair', { keyName: 'old' })),
  fires(
    'ssm-send-command',
    'a shell script run on two instances',
    call('ssm:SendCommand', {
      instanceIds: ['i-0abcd1234efgh5678', 'i-0bcde2345fghi6789'],
      documentName: 'AWS-RunShellScript',
      parameters: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    }),
  ),
  quiet('ssm-send-command', 'commands listed', call('ssm:ListCommands', { maxResults: 50 })),
  fires(
    'ssm-start-session',
    'a Session Manager shell opened',
    call('ssm:StartSession', { target: 'i-0abcd1234efgh5678' }),
  ),
  quiet(
    'ssm-start-session',
    'a session ended',
    call('ssm:TerminateSession', { sessionId: 'ana-0a1b2c3d4e5f67890' }),
  ),
  fires(
    'cloudformation-stack-created',
    'a stack created',
    call('cloudformation:CreateStack', {
      stackName: 'tmp',
      templateURL: 'https://tmp-91.s3.amazonaws.com/t.yaml',
      capabilities: ['CAPABILITY_IAM'],
    }),
  ),
  quiet(
    'cloudformation-stack-created',
    'stacks described',
    call('cloudformation:DescribeStacks', { stackName: 'tmp' }),
  ),
  fires(
    'sagemaker-lifecycle-changed',
    'a notebook lifecycle script replaced',
    call('sagemaker:UpdateNotebookInstanceLifecycleConfig', {
      notebookInstanceLifecycleConfigName: 'setup',
      onStart: [{ content: 'HIDDEN_DUE_TO_SECURITY_REASONS' }],
    }),
  ),
  quiet(
    'sagemaker-lifecycle-changed',
    'a lifecycle configuration read',
    call('sagemaker:DescribeNotebookInstanceLifecycleConfig', {
      notebookInstanceLifecycleConfigName: 'setup',
    }),
  ),
  fires(
    'instance-role-enumeration',
    'an instance listing buckets, roles and snapshots',
    fromInstance('s3:ListBuckets', {}, { Host: 's3.amazonaws.com' }),
    fromInstance('iam:ListRoles', { at: 1 }),
    fromInstance('ec2:DescribeSnapshots', { at: 2 }),
  ),
  quiet(
    'instance-role-enumeration',
    'an instance listing buckets on a schedule',
    times(3, (i) => fromInstance('s3:ListBuckets', { at: i * 5 }, { Host: 's3.amazonaws.com' })),
  ),
];
