import { SUCCEEDED, and, api, matches, or, req, reqNumber } from '../sql.js';
import { rules } from './types.js';

/** Launches of EC2 capacity (the calls miners use). */
const LAUNCH = api('ec2', 'RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet');
const ACCELERATED_ML = matches(
  'requestparameters',
  '"(instanceType|InstanceType)"\\s*:\\s*"ml\\.(p[0-9]|g[0-9]|inf[0-9]|trn[0-9]|dl[0-9])',
);

/** Crypto mining beyond single EC2 launches: quotas, fleets, regions, SageMaker and Batch. */
export const MINING_RULES = rules([
  {
    id: 'compute-quota-increase',
    title: 'Compute quota increase requested',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api('servicequotas', 'RequestServiceQuotaIncrease'),
      `${req('serviceCode')} IN ('ec2', 'sagemaker', 'lambda', 'bedrock', 'batch', 'ecs', 'fargate')`,
    ),
    explain: 'Miners ask for more vCPUs or GPUs as soon as the default quota stops them.',
    remediation: 'Cancel the request through AWS Support unless a team asked for it.',
  },
  {
    id: 'ec2-launch-many-regions',
    title: 'Instances launched in several regions within an hour',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'high',
    where: and(LAUNCH, SUCCEEDED),
    threshold: { count: 3, withinMinutes: 60, distinct: 'awsregion' },
    explain: 'Launching in region after region is how miners get past each region’s quota.',
    remediation: 'List and stop instances in every region (snapshot first), then block unused regions.',
  },
  {
    id: 'ec2-large-fleet',
    title: 'Spot fleet or EC2 fleet with a large target capacity',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api('ec2', 'RequestSpotFleet', 'CreateFleet'),
      or(
        `${reqNumber('spotFleetRequestConfig.targetCapacity')} >= 20`,
        `${reqNumber('CreateFleetRequest.TargetCapacitySpecification.TotalTargetCapacity')} >= 20`,
      ),
    ),
    explain: 'A fleet of twenty or more instances is cheap capacity for mining.',
    remediation: 'Cancel the fleet request with its instances and check other regions.',
  },
  {
    id: 'sagemaker-accelerated-compute',
    title: 'SageMaker GPU or accelerator capacity requested',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api(
        'sagemaker',
        'CreateNotebookInstance',
        'CreateTrainingJob',
        'CreateProcessingJob',
        'CreateTransformJob',
        'CreateEndpointConfig',
        'CreateHyperParameterTuningJob',
      ),
      ACCELERATED_ML,
    ),
    explain: 'GPU notebook, training or endpoint capacity runs miners as well as models.',
    remediation:
      'Stop the job or notebook, read what it runs (its image and entry point) and check every region.',
  },
  {
    id: 'batch-large-compute-environment',
    title: 'AWS Batch compute environment with GPUs or many vCPUs',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'high',
    where: and(
      api('batch', 'CreateComputeEnvironment', 'UpdateComputeEnvironment'),
      or(
        `${reqNumber('computeResources.maxvCpus')} >= 256`,
        matches('requestparameters', '"instanceTypes"\\s*:\\s*\\[[^\\]]*"(p[0-9]|g[0-9])'),
      ),
    ),
    explain: 'Batch scales instances up to the environment’s limit on its own: a miner’s autoscaler.',
    remediation: 'Disable the compute environment, cancel its jobs and read the job definitions.',
  },
]);
