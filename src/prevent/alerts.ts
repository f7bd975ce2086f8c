import { stringify } from 'yaml';

/** One alert the template deploys: an EventBridge rule on the default bus. */
export interface AlertRule {
  logicalId: string;
  name: string;
  description: string;
  pattern: Record<string, unknown>;
}

const API_CALL = 'AWS API Call via CloudTrail';
const CONSOLE = 'AWS Console Sign In via CloudTrail';

/** IAM calls that change who can do what (CIS 4.4's list, plus users, keys and trust). */
export const IAM_CHANGE_EVENTS = [
  'AttachGroupPolicy',
  'AttachRolePolicy',
  'AttachUserPolicy',
  'CreatePolicy',
  'CreatePolicyVersion',
  'CreateRole',
  'CreateUser',
  'CreateLoginProfile',
  'DeleteGroupPolicy',
  'DeletePolicy',
  'DeletePolicyVersion',
  'DeleteRolePolicy',
  'DeleteUserPolicy',
  'DetachGroupPolicy',
  'DetachRolePolicy',
  'DetachUserPolicy',
  'PutGroupPolicy',
  'PutRolePolicy',
  'PutUserPolicy',
  'SetDefaultPolicyVersion',
  'UpdateAssumeRolePolicy',
  'UpdateLoginProfile',
];

/**
 * The alerts, declared. CloudTrail delivers IAM and sign-in events to EventBridge in us-east-1,
 * so the stack is deployed there (GuardDuty findings arrive in each region's bus: deploy it in
 * every region for those).
 */
export const ALERT_RULES: AlertRule[] = [
  {
    logicalId: 'RootUseRule',
    name: 'tourniquet-root-use',
    description: 'Any use of the root user (API call or console sign-in)',
    pattern: { 'detail-type': [API_CALL, CONSOLE], detail: { userIdentity: { type: ['Root'] } } },
  },
  {
    logicalId: 'IamChangesRule',
    name: 'tourniquet-iam-changes',
    description: 'IAM policy, role, user and login changes',
    pattern: {
      source: ['aws.iam'],
      'detail-type': [API_CALL],
      detail: { eventSource: ['iam.amazonaws.com'], eventName: IAM_CHANGE_EVENTS },
    },
  },
  {
    logicalId: 'AccessKeyCreatedRule',
    name: 'tourniquet-access-key-created',
    description: 'A new access key (the usual first step of persistence)',
    pattern: {
      source: ['aws.iam'],
      'detail-type': [API_CALL],
      detail: { eventSource: ['iam.amazonaws.com'], eventName: ['CreateAccessKey'] },
    },
  },
  {
    logicalId: 'ConsoleFailuresRule',
    name: 'tourniquet-console-failures',
    description: 'Failed console sign-ins',
    pattern: {
      'detail-type': [CONSOLE],
      detail: { eventName: ['ConsoleLogin'], responseElements: { ConsoleLogin: ['Failure'] } },
    },
  },
  {
    logicalId: 'GuardDutyHighRule',
    name: 'tourniquet-guardduty-high',
    description: 'GuardDuty findings of high severity (7 and above)',
    pattern: {
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 7] }] },
    },
  },
];

/**
 * A CloudFormation template (YAML): an SNS topic EventBridge may publish to, and one rule per
 * alert targeting it. Subscribe people to the topic output (`aws sns subscribe`).
 */
export function alertsTemplate(): string {
  const resources: Record<string, unknown> = {
    AlertTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'tourniquet-security-alerts' } },
    AlertTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'AlertTopic' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'EventBridgePublishes',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: 'AlertTopic' },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      },
    },
  };
  for (const r of ALERT_RULES)
    resources[r.logicalId] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: r.name,
        Description: r.description,
        State: 'ENABLED',
        EventPattern: r.pattern,
        Targets: [{ Id: 'security-alerts', Arn: { Ref: 'AlertTopic' } }],
      },
    };
  return stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'Tourniquet security alerts: root use, IAM changes, access-key creation, console sign-in failures and high GuardDuty findings to one SNS topic.',
    Resources: resources,
    Outputs: { AlertTopicArn: { Description: 'Subscribe responders here', Value: { Ref: 'AlertTopic' } } },
  });
}
