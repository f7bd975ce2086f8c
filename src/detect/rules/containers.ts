import {
  SUCCEEDED,
  and,
  api,
  foreignAccount,
  grantsForeignAccount,
  grantsPublic,
  matches,
  or,
  req,
  reqNumber,
} from '../sql.js';
import { rules } from './types.js';

/** Mining software by name, as images, commands and pools spell it. */
export const MINER =
  '(?i)(xmrig|xmr-stak|monero|minerd|cpuminer|ethminer|nbminer|lolminer|t-rex|trex-miner|phoenixminer|nanominer|srbminer|gminer|teamredminer|cryptonight|randomx|stratum\\+(tcp|ssl)|nicehash|supportxmr|minexmr|nanopool|2miners|hashvault|c3pool|unmineable|moneroocean)';

const REPLICATION_DESTINATIONS = [0, 1].flatMap((r) =>
  [0, 1, 2].map((d) => req(`replicationConfiguration.rules[${r}].destinations[${d}].registryId`)),
);
const TASK_DEFINITION = api('ecs', 'RegisterTaskDefinition');

/** ECR and ECS: images shared, replicated or pulled out; containers that mine or escape. */
export const CONTAINER_RULES = rules([
  {
    id: 'ecr-repository-policy-opened',
    title: 'ECR repository policy grants another account or everyone',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(
      api('ecr', 'SetRepositoryPolicy', 'PutRegistryPolicy'),
      or(grantsForeignAccount('requestparameters'), grantsPublic('requestparameters')),
    ),
    explain:
      'Outside principals may now pull (or push) the images, with the code and secrets baked into them.',
    remediation: 'Restore the repository policy and list the pulls by other accounts since the change.',
  },
  {
    id: 'ecr-replication-foreign',
    title: 'ECR registry replicating to another account',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(
      api('ecr', 'PutReplicationConfiguration'),
      or(...REPLICATION_DESTINATIONS.map(foreignAccount)),
    ),
    explain: 'Every image pushed from now on is copied into a registry of another account.',
    remediation:
      'Remove the destination from the replication configuration; treat replicated images as disclosed.',
  },
  {
    id: 'ecr-image-pushed',
    title: 'Container image pushed',
    category: 'persistence',
    technique: 'T1525',
    tactic: 'persistence',
    severity: 'low',
    where: and(api('ecr', 'PutImage'), SUCCEEDED),
    explain: 'A pushed image runs wherever the tag is deployed: a backdoored image persists in every task.',
    remediation: 'Compare the image digest with the build pipeline’s output.',
  },
  {
    id: 'ecr-image-scanning-disabled',
    title: 'ECR image scanning turned off',
    category: 'defense-evasion',
    technique: 'T1562.001',
    tactic: 'defense-evasion',
    severity: 'medium',
    where: and(
      api('ecr', 'PutImageScanningConfiguration'),
      `${req('imageScanningConfiguration.scanOnPush')} = 'false'`,
    ),
    explain: 'Pushed images are no longer scanned, so a planted image goes unnoticed.',
    remediation: 'Turn scan-on-push back on and scan the images pushed since.',
  },
  {
    id: 'ecr-images-deleted',
    title: 'Container images or repositories deleted',
    category: 'impact',
    technique: 'T1485',
    tactic: 'impact',
    severity: 'medium',
    where: or(
      and(api('ecr', 'DeleteRepository'), `${req('force')} = 'true'`),
      and(
        api('ecr', 'BatchDeleteImage'),
        SUCCEEDED,
        matches('requestparameters', '"imageIds"\\s*:\\s*\\[[^\\]]*\\},\\s*\\{'),
      ),
    ),
    explain: 'Images needed to redeploy the services are gone.',
    remediation: 'Rebuild the images from source and check the registry’s replicas.',
  },
  {
    id: 'ecr-many-repositories-pulled',
    title: 'Images pulled from many repositories',
    category: 'data-access',
    technique: 'T1530',
    tactic: 'collection',
    severity: 'medium',
    where: and(api('ecr', 'BatchGetImage', 'GetDownloadUrlForLayer'), SUCCEEDED),
    threshold: { count: 5, withinMinutes: 15, distinct: req('repositoryName') },
    explain: 'A sweep over the registry: images carry code, configuration and often secrets.',
    remediation: 'List the repositories pulled and rotate secrets found in their images.',
  },
  {
    id: 'ecs-miner-task',
    title: 'Container task running mining software',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'critical',
    where: and(
      api('ecs', 'RegisterTaskDefinition', 'RunTask', 'StartTask'),
      matches('requestparameters', MINER),
    ),
    explain: 'The task definition or its overrides name a miner, a mining pool or its protocol.',
    remediation: 'Stop the tasks, deregister the task definition and check every cluster in every region.',
  },
  {
    id: 'ecs-privileged-task',
    title: 'Task definition with a privileged container or the host’s namespaces',
    category: 'privilege-escalation',
    technique: 'T1610',
    tactic: 'execution',
    severity: 'high',
    where: and(
      TASK_DEFINITION,
      or(
        matches('requestparameters', '"privileged"\\s*:\\s*"?true'),
        matches('requestparameters', '"pidMode"\\s*:\\s*"host"'),
        matches('requestparameters', '"sourcePath"\\s*:\\s*"/(var/run/docker\\.sock|proc|etc)?"'),
      ),
    ),
    explain: 'Such a container controls the host it runs on and the credentials of every task there.',
    remediation: 'Deregister the revision, stop its tasks and inspect the container instances they ran on.',
  },
  {
    id: 'ecs-large-task',
    title: 'Task definition asking for a large share of CPU or GPUs',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'medium',
    where: and(
      TASK_DEFINITION,
      or(`${reqNumber('cpu')} >= 8192`, matches('requestparameters', '"type"\\s*:\\s*"GPU"')),
    ),
    explain: 'Eight or more vCPUs or a GPU per task is what miners request.',
    remediation: 'Confirm the workload with its owner, else deregister the revision and stop its tasks.',
  },
  {
    id: 'ecs-service-scaled-out',
    title: 'ECS service scaled to many tasks',
    category: 'crypto-mining',
    technique: 'T1496.001',
    tactic: 'impact',
    severity: 'medium',
    where: and(api('ecs', 'CreateService', 'UpdateService'), `${reqNumber('desiredCount')} >= 20`),
    explain: 'Twenty or more tasks at once multiplies the bill of whatever the tasks run.',
    remediation: 'Check the task definition the service runs, and scale it back if nobody planned it.',
  },
]);
