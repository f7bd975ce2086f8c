import { SimError } from '../../core/errors.js';
import { deleteDefaultBusRule, putDefaultBusRule, type EventsState } from '../events/index.js';
import { createTopic, deleteTopic, type SnsState } from '../sns/index.js';
import type { CfnCtx, ResourceType } from './resources.js';

const snsState = (ctx: CfnCtx) =>
  ctx.sim.serviceState<SnsState>(ctx.caller.accountId, 'sns', () => ({ topics: {} }));
const eventsState = (ctx: CfnCtx) =>
  ctx.sim.serviceState<EventsState>(ctx.caller.accountId, 'events', () => ({ regions: {} }));
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The resource types of an alerting stack (`tourniquet prevent`'s template): SNS topics and their
 * policies, EventBridge rules with their targets. Names not given are made as CloudFormation makes
 * them (`stack-LogicalId-RANDOM`).
 */
export const ALERT_RESOURCE_TYPES: Record<string, ResourceType> = {
  'AWS::SNS::Topic': {
    action: 'sns:CreateTopic',
    create(ctx, p, logicalId, stackName) {
      const name =
        text(p.TopicName) ??
        `${stackName}-${logicalId}-${ctx.sim.ids.token(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
      const topic = createTopic(snsState(ctx), {
        account: ctx.caller.accountId,
        region: ctx.region,
        name,
        ...(text(p.DisplayName) ? { attributes: { DisplayName: text(p.DisplayName)! } } : {}),
      });
      return { physicalId: topic.arn, attributes: { TopicArn: topic.arn, TopicName: topic.name } };
    },
    remove(ctx, r) {
      deleteTopic(snsState(ctx), r.region, r.physicalId);
    },
  },
  'AWS::SNS::TopicPolicy': {
    action: 'sns:SetTopicAttributes',
    create(ctx, p) {
      const arns = Array.isArray(p.Topics) ? p.Topics.map(String) : [];
      const doc = typeof p.PolicyDocument === 'string' ? p.PolicyDocument : JSON.stringify(p.PolicyDocument);
      for (const arn of arns) {
        const topic = Object.values(snsState(ctx).topics[ctx.region] ?? {}).find((t) => t.arn === arn);
        if (!topic) throw new SimError('ValidationError', `Topic ${arn} does not exist`, 400);
        topic.attributes.Policy = doc;
      }
      return { physicalId: ctx.sim.ids.uuid(), attributes: {} };
    },
    remove() {
      // The topic keeps its last policy until it is deleted, as on AWS.
    },
  },
  'AWS::Events::Rule': {
    action: 'events:PutRule',
    create(ctx, p, logicalId, stackName) {
      const name =
        text(p.Name) ??
        `${stackName}-${logicalId}-${ctx.sim.ids.token(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
      if (p.EventPattern === undefined)
        throw new SimError(
          'ValidationError',
          'Property EventPattern cannot be empty (the simulator has no schedules in stacks).',
          400,
        );
      const targets = (Array.isArray(p.Targets) ? (p.Targets as Record<string, unknown>[]) : []).map((t) => ({
        Id: String(t.Id),
        Arn: String(t.Arn),
      }));
      const rule = putDefaultBusRule(eventsState(ctx), {
        account: ctx.caller.accountId,
        region: ctx.region,
        name,
        pattern: typeof p.EventPattern === 'string' ? p.EventPattern : JSON.stringify(p.EventPattern),
        enabled: text(p.State) !== 'DISABLED',
        description: text(p.Description),
        targets,
      });
      return { physicalId: rule.name, attributes: { Arn: rule.arn } };
    },
    remove(ctx, r) {
      deleteDefaultBusRule(eventsState(ctx), r.region, r.physicalId);
    },
  },
};
