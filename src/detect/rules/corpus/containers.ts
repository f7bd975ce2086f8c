import { call, times } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const repositoryPolicy = (principal: string): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'pull',
        Effect: 'Allow',
        Principal: principal === '*' ? '*' : { AWS: principal },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      },
    ],
  });

const container = (image: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'app',
  image,
  cpu: 0,
  essential: true,
  portMappings: [],
  environment: [],
  mountPoints: [],
  volumesFrom: [],
  ...extra,
});

export const CONTAINER_SAMPLES: Sample[] = [
  fires(
    'ecr-repository-policy-opened',
    'a repository made pullable by everyone',
    call('ecr:SetRepositoryPolicy', {
      repositoryName: 'payments-api',
      policyText: repositoryPolicy('*'),
      force: false,
    }),
  ),
  quiet(
    'ecr-repository-policy-opened',
    'a repository made pullable by the account’s own CI role',
    call('ecr:SetRepositoryPolicy', {
      repositoryName: 'payments-api',
      policyText: repositoryPolicy('arn:aws:iam::{ACCOUNT}:role/ci'),
      force: false,
    }),
  ),
  fires(
    'ecr-replication-foreign',
    'replication to a registry of another account',
    call('ecr:PutReplicationConfiguration', {
      replicationConfiguration: {
        rules: [{ destinations: [{ region: 'eu-west-1', registryId: '{FOREIGN}' }] }],
      },
    }),
  ),
  quiet(
    'ecr-replication-foreign',
    'replication to the same registry in another region',
    call('ecr:PutReplicationConfiguration', {
      replicationConfiguration: {
        rules: [{ destinations: [{ region: 'eu-west-1', registryId: '{ACCOUNT}' }] }],
      },
    }),
  ),
  fires(
    'ecr-image-pushed',
    'an image pushed under the latest tag',
    call(
      'ecr:PutImage',
      { repositoryName: 'payments-api', imageTag: 'latest', imageManifest: '{"schemaVersion":2}' },
      {
        response: {
          image: {
            registryId: '{ACCOUNT}',
            repositoryName: 'payments-api',
            imageId: { imageDigest: 'sha256:9f2b', imageTag: 'latest' },
          },
        },
      },
    ),
  ),
  quiet(
    'ecr-image-pushed',
    'an image pulled',
    call('ecr:BatchGetImage', { repositoryName: 'payments-api', imageIds: [{ imageTag: 'latest' }] }),
  ),
  fires(
    'ecr-image-scanning-disabled',
    'scan on push turned off',
    call('ecr:PutImageScanningConfiguration', {
      repositoryName: 'payments-api',
      imageScanningConfiguration: { scanOnPush: false },
    }),
  ),
  quiet(
    'ecr-image-scanning-disabled',
    'scan on push turned on',
    call('ecr:PutImageScanningConfiguration', {
      repositoryName: 'payments-api',
      imageScanningConfiguration: { scanOnPush: true },
    }),
  ),
  fires(
    'ecr-images-deleted',
    'a repository force-deleted with its images',
    call('ecr:DeleteRepository', { repositoryName: 'payments-api', force: true }),
  ),
  quiet(
    'ecr-images-deleted',
    'one untagged image removed by a clean-up job',
    call(
      'ecr:BatchDeleteImage',
      { repositoryName: 'payments-api', imageIds: [{ imageDigest: 'sha256:0d1e' }] },
      { as: 'AssumedRole' },
    ),
  ),
  fires(
    'ecr-many-repositories-pulled',
    'images pulled from six repositories in a few minutes',
    times(6, (i) =>
      call(
        'ecr:BatchGetImage',
        { repositoryName: `service-${i}`, imageIds: [{ imageTag: 'latest' }] },
        { at: i },
      ),
    ),
  ),
  quiet(
    'ecr-many-repositories-pulled',
    'a deployment pulling one image on many nodes',
    times(8, (i) =>
      call(
        'ecr:BatchGetImage',
        { repositoryName: 'payments-api', imageIds: [{ imageTag: 'v42' }] },
        { at: i * 0.5, as: 'AssumedRole' },
      ),
    ),
  ),
  fires(
    'ecs-miner-task',
    'a Fargate task definition running xmrig',
    call('ecs:RegisterTaskDefinition', {
      family: 'worker',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '4096',
      memory: '8192',
      containerDefinitions: [
        container('docker.io/metal3d/xmrig:latest', { command: ['--url', 'pool.supportxmr.com:443'] }),
      ],
    }),
  ),
  quiet(
    'ecs-miner-task',
    'a task definition of the account’s web service',
    call('ecs:RegisterTaskDefinition', {
      family: 'web',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
      containerDefinitions: [container('{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:v42')],
    }),
  ),
  fires(
    'ecs-privileged-task',
    'a privileged container mounting the docker socket',
    call('ecs:RegisterTaskDefinition', {
      family: 'debug',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [
        container('alpine:3.20', {
          privileged: true,
          mountPoints: [{ sourceVolume: 'sock', containerPath: '/var/run/docker.sock' }],
        }),
      ],
      volumes: [{ name: 'sock', host: { sourcePath: '/var/run/docker.sock' } }],
    }),
  ),
  quiet(
    'ecs-privileged-task',
    'a container with a host volume for its own cache',
    call('ecs:RegisterTaskDefinition', {
      family: 'cache',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [
        container('{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/cache:v3', { privileged: false }),
      ],
      volumes: [{ name: 'cache', host: { sourcePath: '/data/cache' } }],
    }),
  ),
  fires(
    'ecs-large-task',
    'a 16-vCPU Fargate task definition',
    call('ecs:RegisterTaskDefinition', {
      family: 'batch',
      requiresCompatibilities: ['FARGATE'],
      cpu: '16384',
      memory: '32768',
      containerDefinitions: [container('ubuntu:24.04')],
    }),
  ),
  quiet(
    'ecs-large-task',
    'a 2-vCPU task definition',
    call('ecs:RegisterTaskDefinition', {
      family: 'batch',
      requiresCompatibilities: ['FARGATE'],
      cpu: '2048',
      memory: '4096',
      containerDefinitions: [container('{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/batch:v7')],
    }),
  ),
  fires(
    'ecs-service-scaled-out',
    'a service scaled to 50 tasks',
    call('ecs:UpdateService', { cluster: 'default', service: 'worker', desiredCount: 50 }),
  ),
  quiet(
    'ecs-service-scaled-out',
    'a service scaled from 2 to 4 tasks',
    call(
      'ecs:UpdateService',
      { cluster: 'default', service: 'web', desiredCount: 4 },
      { as: 'IdentityCenter' },
    ),
  ),
];
