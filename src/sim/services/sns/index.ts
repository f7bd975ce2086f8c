import { SimError } from '../../core/errors.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import { publishSms, smsOperations, type SmsState } from './sms.js';

interface Subscription {
  subscriptionArn: string;
  protocol: string;
  endpoint: string;
}

interface Topic {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  subscriptions: Subscription[];
  tags: { Key: string; Value: string }[];
}

/** Per account: topics by region, then by name; SMS settings and the texts sent (`./sms.ts`). */
export interface SnsState extends SmsState {
  topics: Record<string, Record<string, Topic>>;
}

type Ctx = OpContext<SnsState>;

/** Attributes SetTopicAttributes may change (the rest are computed). */
const SETTABLE = [
  'Policy',
  'DisplayName',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'TracingConfig',
  'SignatureVersion',
];

function topicsOf(ctx: Ctx): Record<string, Topic> {
  return (ctx.state.topics[ctx.region] ??= {});
}

function notFound(): SimError {
  return new SimError('NotFound', 'Topic does not exist', 404);
}

function topicOf(ctx: Ctx, arn = ctx.params.require('TopicArn')): Topic {
  const topic = Object.values(topicsOf(ctx)).find((t) => t.arn === arn);
  if (!topic) throw notFound();
  return topic;
}

const topicAuth = { resource: (ctx: Ctx) => ctx.params.get('TopicArn') ?? '*' };

function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  });
}

/** Create a topic in a region of an account (CreateTopic is idempotent by name); also used by CloudFormation. */
export function createTopic(
  state: SnsState,
  o: {
    account: string;
    region: string;
    name: string;
    attributes?: Record<string, string>;
    tags?: { Key: string; Value: string }[];
  },
): Topic {
  if (!/^[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(o.name))
    throw new SimError('InvalidParameter', 'Invalid parameter: Topic Name', 400);
  const topics = (state.topics[o.region] ??= {});
  const existing = topics[o.name];
  if (existing) return existing;
  const arn = `arn:aws:sns:${o.region}:${o.account}:${o.name}`;
  const topic: Topic = {
    arn,
    name: o.name,
    attributes: { Policy: defaultPolicy(arn, o.account), DisplayName: '', ...o.attributes },
    subscriptions: [],
    tags: o.tags ?? [],
  };
  topics[o.name] = topic;
  return topic;
}

/** Delete a topic by ARN (idempotent, as SNS's DeleteTopic is). */
export function deleteTopic(state: SnsState, region: string, arn: string): void {
  const topics = state.topics[region] ?? {};
  for (const [name, t] of Object.entries(topics)) if (t.arn === arn) delete topics[name];
}

/**
 * Publish: to a phone number (an SMS, priced and held to the spend limit), or to a topic (its SMS
 * subscribers are texted; other protocols are not delivered). A data event in CloudTrail (CloudTrail
 * UG "Logging data events": SNS Publish and PublishBatch), so never in Event history.
 */
const publish: OperationDef<SnsState> = {
  dataEvent: true,
  auth: 'handler',
  async handler(ctx) {
    const message = ctx.params.require('Message');
    const phone = ctx.params.get('PhoneNumber');
    const topicArn = ctx.params.get('TopicArn') ?? ctx.params.get('TargetArn');
    if (phone !== undefined) {
      await ctx.authorize('sns:Publish', '*');
      ctx.trail.resources = [];
      return { MessageId: publishSms(ctx, phone, message) };
    }
    if (!topicArn)
      throw new SimError(
        'InvalidParameter',
        'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
        400,
      );
    await ctx.authorize('sns:Publish', topicArn);
    const topic = topicOf(ctx, topicArn);
    ctx.trail.resources = [{ ARN: topic.arn, accountId: ctx.caller.accountId, type: 'AWS::SNS::Topic' }];
    for (const s of topic.subscriptions) if (s.protocol === 'sms') publishSms(ctx, s.endpoint, message);
    return { MessageId: ctx.sim.ids.uuid() };
  },
};

/**
 * SNS (awsQuery, API 2010-03-31), minimal: topics, their attributes and subscriptions. Nothing is
 * delivered; a subscription other than to SQS or Lambda stays pending confirmation, as on AWS.
 */
export const snsService = defineService<SnsState>({
  signingName: 'sns',
  protocol: 'query',
  eventSource: 'sns.amazonaws.com',
  apiVersion: '2010-03-31',
  xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
  endpointHost: (region) => `sns.${region}.amazonaws.com`,
  initState: () => ({ topics: {} }),
  operations: {
    ...(smsOperations as Record<string, OperationDef<SnsState>>),
    Publish: publish,
    CreateTopic: {
      auth: {
        resource: (ctx) =>
          `arn:aws:sns:${ctx.region}:${ctx.caller.accountId}:${ctx.params.get('Name') ?? ''}`,
      },
      handler(ctx) {
        const tags = ctx.params
          .structs('Tags')
          .map((t) => ({ Key: t.get('Key') ?? '', Value: t.get('Value') ?? '' }));
        const topic = createTopic(ctx.state, {
          account: ctx.caller.accountId,
          region: ctx.region,
          name: ctx.params.require('Name'),
          attributes: ctx.params.mapOf('Attributes'),
          tags,
        });
        return { TopicArn: topic.arn };
      },
    },
    ListTopics: {
      handler: (ctx) => ({ Topics: Object.values(topicsOf(ctx)).map((t) => ({ TopicArn: t.arn })) }),
    },
    GetTopicAttributes: {
      auth: topicAuth,
      handler(ctx) {
        const t = topicOf(ctx);
        const pending = t.subscriptions.filter((s) => s.subscriptionArn === 'pending confirmation').length;
        const attributes: Record<string, string> = {
          ...t.attributes,
          TopicArn: t.arn,
          Owner: ctx.caller.accountId,
          SubscriptionsConfirmed: String(t.subscriptions.length - pending),
          SubscriptionsPending: String(pending),
          SubscriptionsDeleted: '0',
          EffectiveDeliveryPolicy:
            t.attributes.DeliveryPolicy ?? '{"http":{"defaultHealthyRetryPolicy":{"numRetries":3}}}',
        };
        return { Attributes: { '#map': Object.entries(attributes) } };
      },
    },
    SetTopicAttributes: {
      auth: topicAuth,
      handler(ctx) {
        const t = topicOf(ctx);
        const name = ctx.params.require('AttributeName');
        if (!SETTABLE.includes(name))
          throw new SimError('InvalidParameter', `Invalid parameter: AttributeName`, 400);
        const value = ctx.params.get('AttributeValue') ?? '';
        if (name === 'Policy') {
          try {
            JSON.parse(value);
          } catch {
            throw new SimError('InvalidParameter', 'Invalid parameter: Policy Error: null', 400);
          }
        }
        t.attributes[name] = value;
        return undefined;
      },
    },
    Subscribe: {
      auth: topicAuth,
      handler(ctx) {
        const t = topicOf(ctx);
        const protocol = ctx.params.require('Protocol');
        const endpoint = ctx.params.get('Endpoint') ?? '';
        if (
          ![
            'email',
            'email-json',
            'http',
            'https',
            'sqs',
            'lambda',
            'sms',
            'application',
            'firehose',
          ].includes(protocol)
        )
          throw new SimError('InvalidParameter', 'Invalid parameter: Protocol', 400);
        const confirmed = ['sqs', 'lambda', 'firehose', 'sms'].includes(protocol);
        const arn = confirmed ? `${t.arn}:${ctx.sim.ids.uuid()}` : 'pending confirmation';
        t.subscriptions.push({ subscriptionArn: arn, protocol, endpoint });
        return { SubscriptionArn: arn };
      },
    },
    ListSubscriptions: {
      handler: (ctx) => ({
        Subscriptions: Object.values(topicsOf(ctx)).flatMap((t) =>
          t.subscriptions.map((s) => ({
            SubscriptionArn: s.subscriptionArn,
            Owner: ctx.caller.accountId,
            Protocol: s.protocol,
            Endpoint: s.endpoint,
            TopicArn: t.arn,
          })),
        ),
      }),
    },
    DeleteTopic: {
      auth: topicAuth,
      handler(ctx) {
        deleteTopic(ctx.state, ctx.region, ctx.params.require('TopicArn'));
        return undefined;
      },
    },
  },
});
