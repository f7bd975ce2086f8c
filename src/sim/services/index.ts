import { cloudTrailService } from '../cloudtrail/service.js';
import type { AnyService } from '../core/service.js';
import { accessAnalyzerService } from './accessanalyzer/index.js';
import { athenaService } from './athena/index.js';
import { bedrockService } from './bedrock/index.js';
import { cloudFormationService } from './cloudformation/index.js';
import { cloudWatchService } from './cloudwatch/index.js';
import { costExplorerService } from './costexplorer/index.js';
import { ec2Service } from './ec2/index.js';
import { eventsService } from './events/index.js';
import { glueService } from './glue/index.js';
import { guardDutyService } from './guardduty/index.js';
import { iamService } from './iam/index.js';
import { kmsService } from './kms/index.js';
import { lambdaService } from './lambda/index.js';
import { logsService } from './logs/index.js';
import { organizationsService } from './organizations/index.js';
import { rdsService } from './rds/index.js';
import { s3Service } from './s3/index.js';
import { secretsManagerService } from './secretsmanager/index.js';
import { sesService } from './ses/index.js';
import { sesV2Service } from './ses/v2.js';
import { snsService } from './sns/index.js';
import { ssmService } from './ssm/index.js';
import { stsService } from './sts/index.js';

/**
 * Every service the simulated account serves. To add one, export a `defineService(...)` from its
 * folder and list it here (see src/sim/README.md).
 */
export const SERVICES: AnyService[] = [
  stsService,
  iamService,
  cloudTrailService,
  ec2Service,
  s3Service,
  lambdaService,
  guardDutyService,
  secretsManagerService,
  ssmService,
  costExplorerService,
  cloudFormationService,
  accessAnalyzerService,
  logsService,
  cloudWatchService,
  snsService,
  eventsService,
  organizationsService,
  bedrockService,
  sesService,
  sesV2Service,
  rdsService,
  kmsService,
  glueService,
  athenaService,
];
