import { call } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

const TRAIL = 'arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org-trail';
const trail = (more: Record<string, unknown> = {}) => ({ name: TRAIL, ...more });
const lifecycle = (days: number) => ({
  bucketName: 'org-trail-logs',
  Host: 'org-trail-logs.s3.us-east-1.amazonaws.com',
  lifecycle: '',
  LifecycleConfiguration: {
    xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
    Rule: { ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: days } },
  },
});

/** Logging: CloudTrail, logs, flow logs, DNS logs, alarms. */
export const LOGGING_SAMPLES: Sample[] = [
  fires('cloudtrail-stopped', 'trail logging stopped', call('cloudtrail:StopLogging', trail())),
  quiet('cloudtrail-stopped', 'trail logging started', call('cloudtrail:StartLogging', trail())),
  fires('cloudtrail-deleted', 'a trail deleted', call('cloudtrail:DeleteTrail', trail())),
  quiet(
    'cloudtrail-deleted',
    'trails described',
    call('cloudtrail:DescribeTrails', { trailNameList: [], includeShadowTrails: true }),
  ),
  fires(
    'cloudtrail-selectors-changed',
    'management events excluded by the selectors',
    call('cloudtrail:PutEventSelectors', {
      trailName: TRAIL,
      eventSelectors: [
        {
          readWriteType: 'ReadOnly',
          includeManagementEvents: false,
          dataResources: [],
          excludeManagementEventSources: [],
        },
      ],
    }),
  ),
  quiet(
    'cloudtrail-selectors-changed',
    'the selectors read',
    call('cloudtrail:GetEventSelectors', { trailName: TRAIL }),
  ),
  fires(
    'cloudtrail-updated',
    'the trail’s SNS topic changed',
    call('cloudtrail:UpdateTrail', trail({ snsTopicName: 'trail-notify' })),
  ),
  quiet('cloudtrail-updated', 'the trail status read', call('cloudtrail:GetTrailStatus', trail())),
  fires(
    'cloudtrail-scope-reduced',
    'the trail narrowed to its home region',
    call('cloudtrail:UpdateTrail', trail({ isMultiRegionTrail: false })),
  ),
  quiet(
    'cloudtrail-scope-reduced',
    'the trail widened to all regions',
    call('cloudtrail:UpdateTrail', trail({ isMultiRegionTrail: true, includeGlobalServiceEvents: true })),
  ),
  fires(
    'cloudtrail-validation-disabled',
    'log file validation turned off',
    call('cloudtrail:UpdateTrail', trail({ enableLogFileValidation: false })),
  ),
  quiet(
    'cloudtrail-validation-disabled',
    'log file validation turned on',
    call('cloudtrail:UpdateTrail', trail({ enableLogFileValidation: true })),
  ),
  fires(
    'cloudtrail-destination-changed',
    'the trail sent to another bucket',
    call('cloudtrail:UpdateTrail', trail({ s3BucketName: 'trail-archive-91' })),
  ),
  quiet(
    'cloudtrail-destination-changed',
    'the trail’s KMS key changed',
    call(
      'cloudtrail:UpdateTrail',
      trail({ kmsKeyId: 'arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6e2c4d-1f3a-4e5b-8c7d-9a0b1c2d3e4f' }),
    ),
  ),
  fires(
    'cloudtrail-created',
    'a trail created',
    call('cloudtrail:CreateTrail', { name: 'copy', s3BucketName: 'trail-copy-91', isMultiRegionTrail: true }),
  ),
  quiet('cloudtrail-created', 'trails listed', call('cloudtrail:ListTrails')),
  fires(
    'cloudtrail-lake-stopped',
    'a Lake event data store stopped',
    call('cloudtrail:StopEventDataStoreIngestion', {
      eventDataStore:
        'arn:aws:cloudtrail:us-east-1:{ACCOUNT}:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE',
    }),
  ),
  quiet(
    'cloudtrail-lake-stopped',
    'a Lake event data store started',
    call('cloudtrail:StartEventDataStoreIngestion', {
      eventDataStore:
        'arn:aws:cloudtrail:us-east-1:{ACCOUNT}:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE',
    }),
  ),
  fires(
    'cloudwatch-alarms-silenced',
    'alarm actions disabled',
    call('monitoring:DisableAlarmActions', { alarmNames: ['root-usage', 'billing-over-1000'] }),
  ),
  quiet(
    'cloudwatch-alarms-silenced',
    'alarm actions enabled',
    call('monitoring:EnableAlarmActions', { alarmNames: ['root-usage'] }),
  ),
  fires(
    'log-bucket-lifecycle-short',
    'trail logs set to expire after a day',
    call('s3:PutBucketLifecycle', lifecycle(1)),
  ),
  quiet(
    'log-bucket-lifecycle-short',
    'trail logs kept for a year',
    call('s3:PutBucketLifecycle', lifecycle(365)),
  ),
  fires(
    'vpc-flow-logs-deleted',
    'flow logs deleted',
    call('ec2:DeleteFlowLogs', {
      DeleteFlowLogsRequest: { FlowLogId: { tag: 1, content: 'fl-0a1b2c3d4e5f67890' } },
    }),
  ),
  quiet(
    'vpc-flow-logs-deleted',
    'flow logs created',
    call('ec2:CreateFlowLogs', {
      CreateFlowLogsRequest: {
        ResourceId: { tag: 1, content: 'vpc-0a1b2c3d' },
        ResourceType: 'VPC',
        TrafficType: 'ALL',
      },
    }),
  ),
  fires(
    'dns-query-logging-deleted',
    'Resolver query logging deleted',
    call('route53resolver:DeleteResolverQueryLogConfig', {
      resolverQueryLogConfigId: 'rqlc-0a1b2c3d4e5f6789',
    }),
  ),
  quiet(
    'dns-query-logging-deleted',
    'Resolver query logging created',
    call('route53resolver:CreateResolverQueryLogConfig', {
      name: 'dns',
      destinationArn: 'arn:aws:s3:::dns-logs',
      creatorRequestId: 'x',
    }),
  ),
  fires(
    'ebs-default-encryption-disabled',
    'EBS encryption by default disabled',
    call('ec2:DisableEbsEncryptionByDefault', { DisableEbsEncryptionByDefaultRequest: '' }),
  ),
  quiet(
    'ebs-default-encryption-disabled',
    'EBS encryption by default enabled',
    call('ec2:EnableEbsEncryptionByDefault', { EnableEbsEncryptionByDefaultRequest: '' }),
  ),
  fires(
    'log-group-deleted',
    'a log group deleted',
    call('logs:DeleteLogGroup', { logGroupName: '/aws/lambda/payments' }),
  ),
  quiet(
    'log-group-deleted',
    'a log group created',
    call('logs:CreateLogGroup', { logGroupName: '/aws/lambda/payments' }),
  ),
];

/** Security services: GuardDuty, Security Hub, Config, Macie, WAF, Inspector, Organizations. */
export const SECURITY_SERVICE_SAMPLES: Sample[] = [
  fires(
    'guardduty-disabled',
    'the detector disabled',
    call('guardduty:UpdateDetector', { detectorId: '12abc34d567e8fa901bc2d34e56789f0', enable: false }),
  ),
  quiet(
    'guardduty-disabled',
    'the detector’s publishing frequency changed',
    call('guardduty:UpdateDetector', {
      detectorId: '12abc34d567e8fa901bc2d34e56789f0',
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
    }),
  ),
  fires(
    'config-recording-stopped',
    'the Config recorder stopped',
    call('config:StopConfigurationRecorder', { configurationRecorderName: 'default' }),
  ),
  quiet(
    'config-recording-stopped',
    'the Config recorder started',
    call('config:StartConfigurationRecorder', { configurationRecorderName: 'default' }),
  ),
  fires(
    'organization-leave',
    'the account leaving its organization',
    call('organizations:LeaveOrganization', null, { as: 'Root' }),
  ),
  quiet('organization-leave', 'the organization described', call('organizations:DescribeOrganization')),
  fires(
    'security-hub-findings-muted',
    'findings suppressed',
    call('securityhub:BatchUpdateFindings', {
      FindingIdentifiers: [
        {
          Id: 'arn:aws:securityhub:us-east-1:{ACCOUNT}:subscription/example',
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/guardduty',
        },
      ],
      Workflow: { Status: 'SUPPRESSED' },
    }),
  ),
  quiet('security-hub-findings-muted', 'findings read', call('securityhub:GetFindings', { MaxResults: 100 })),
  fires(
    'config-rules-deleted',
    'a Config rule deleted',
    call('config:DeleteConfigRule', { configRuleName: 'cloudtrail-enabled' }),
  ),
  quiet(
    'config-rules-deleted',
    'a Config rule created',
    call('config:PutConfigRule', {
      configRule: {
        configRuleName: 'cloudtrail-enabled',
        source: { owner: 'AWS', sourceIdentifier: 'CLOUD_TRAIL_ENABLED' },
      },
    }),
  ),
  fires(
    'config-aggregation-foreign',
    'Config data authorized for another account',
    call('config:PutAggregationAuthorization', {
      authorizedAccountId: '{FOREIGN}',
      authorizedAwsRegion: 'us-east-1',
    }),
  ),
  quiet(
    'config-aggregation-foreign',
    'aggregation authorizations listed',
    call('config:DescribeAggregationAuthorizations'),
  ),
  fires('macie-disabled', 'Macie paused', call('macie2:UpdateMacieSession', { status: 'PAUSED' })),
  quiet(
    'macie-disabled',
    'Macie resumed',
    call('macie2:UpdateMacieSession', { status: 'ENABLED', findingPublishingFrequency: 'FIFTEEN_MINUTES' }),
  ),
  fires(
    'macie-findings-suppressed',
    'a filter archiving every finding on a bucket',
    call('macie2:CreateFindingsFilter', {
      name: 'noise',
      action: 'ARCHIVE',
      findingCriteria: { criterion: { 'resourcesAffected.s3Bucket.name': { eq: ['finance-exports'] } } },
    }),
  ),
  quiet(
    'macie-findings-suppressed',
    'a filter that only saves a view',
    call('macie2:CreateFindingsFilter', {
      name: 'finance',
      action: 'NOOP',
      findingCriteria: { criterion: { 'resourcesAffected.s3Bucket.name': { eq: ['finance-exports'] } } },
    }),
  ),
  fires(
    'macie-classification-job',
    'a one-time sensitive-data job over every bucket',
    call(
      'macie2:CreateClassificationJob',
      { name: 'scan', jobType: 'ONE_TIME', s3JobDefinition: { bucketCriteria: { includes: { and: [] } } } },
      { response: { jobId: '3ce05dbb7ec5505def334104bexample' } },
    ),
  ),
  quiet('macie-classification-job', 'the jobs listed', call('macie2:ListClassificationJobs', {})),
  fires(
    'waf-protection-removed',
    'a web ACL detached from the load balancer',
    call('wafv2:DisassociateWebACL', {
      ResourceArn: 'arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188',
    }),
  ),
  quiet(
    'waf-protection-removed',
    'a web ACL attached to the load balancer',
    call('wafv2:AssociateWebACL', {
      WebACLArn: 'arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/web/a1b2c3d4',
      ResourceArn: 'arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/web/50dc6c495c0c9188',
    }),
  ),
  fires(
    'waf-logging-removed',
    'WAF logging deleted',
    call('wafv2:DeleteLoggingConfiguration', {
      ResourceArn: 'arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/web/a1b2c3d4',
    }),
  ),
  quiet(
    'waf-logging-removed',
    'WAF logging configured',
    call('wafv2:PutLoggingConfiguration', {
      LoggingConfiguration: {
        ResourceArn: 'arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/web/a1b2c3d4',
        LogDestinationConfigs: ['arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-web'],
      },
    }),
  ),
  fires(
    'detection-service-disabled',
    'Inspector disabled',
    call('inspector2:Disable', { resourceTypes: ['EC2', 'ECR', 'LAMBDA'] }),
  ),
  quiet(
    'detection-service-disabled',
    'Inspector enabled',
    call('inspector2:Enable', { resourceTypes: ['EC2', 'ECR', 'LAMBDA'] }),
  ),
];
