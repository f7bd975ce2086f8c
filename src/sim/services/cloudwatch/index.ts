import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext } from '../../core/service.js';

/** A metric alarm as PutMetricAlarm stores it (the members DescribeAlarms returns). */
interface MetricAlarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  OKActions: string[];
  InsufficientDataActions: string[];
  MetricName: string;
  Namespace: string;
  Statistic?: string;
  Period?: number;
  EvaluationPeriods: number;
  Threshold?: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  StateValue: string;
  StateReason: string;
  AlarmConfigurationUpdatedTimestamp: string;
  StateUpdatedTimestamp: string;
}

/** Per account: alarms by region, then by name. */
interface CloudWatchState {
  alarms: Record<string, Record<string, MetricAlarm>>;
}

type Ctx = OpContext<CloudWatchState>;

function alarmsOf(ctx: Ctx): Record<string, MetricAlarm> {
  return (ctx.state.alarms[ctx.region] ??= {});
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(bodyString) : []);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function answer(a: MetricAlarm) {
  return {
    ...a,
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp),
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp),
  };
}

/**
 * CloudWatch metric alarms (API 2010-08-01, served as awsJson1.0, which the AWS SDKs use since
 * 2025): the part an audit reads. The JS SDK sends `X-Amz-Target: GraniteServiceVersion20100801.X`.
 */
export const cloudWatchService = defineService<CloudWatchState>({
  signingName: 'monitoring',
  protocol: 'json',
  actionPrefix: 'cloudwatch',
  targetPrefix: 'GraniteServiceVersion20100801',
  eventSource: 'monitoring.amazonaws.com',
  apiVersion: '2010-08-01',
  endpointHost: (region) => `monitoring.${region}.amazonaws.com`,
  initState: () => ({ alarms: {} }),
  operations: {
    PutMetricAlarm: {
      auth: {
        resource: (ctx) =>
          `arn:aws:cloudwatch:${ctx.region}:${ctx.caller.accountId}:alarm:${bodyString(ctx.body.AlarmName)}`,
      },
      handler(ctx) {
        const b = ctx.body;
        const name = bodyString(b.AlarmName);
        const evaluationPeriods = num(b.EvaluationPeriods);
        if (!name || !bodyString(b.ComparisonOperator) || evaluationPeriods === undefined)
          throw new SimError(
            'ValidationError',
            'AlarmName, ComparisonOperator and EvaluationPeriods are required.',
            400,
          );
        const now = ctx.sim.nowIso();
        alarmsOf(ctx)[name] = {
          AlarmName: name,
          AlarmArn: `arn:aws:cloudwatch:${ctx.region}:${ctx.caller.accountId}:alarm:${name}`,
          ...(b.AlarmDescription !== undefined ? { AlarmDescription: bodyString(b.AlarmDescription) } : {}),
          ActionsEnabled: b.ActionsEnabled !== false,
          AlarmActions: strings(b.AlarmActions),
          OKActions: strings(b.OKActions),
          InsufficientDataActions: strings(b.InsufficientDataActions),
          MetricName: bodyString(b.MetricName),
          Namespace: bodyString(b.Namespace),
          ...(b.Statistic !== undefined ? { Statistic: bodyString(b.Statistic) } : {}),
          ...(num(b.Period) !== undefined ? { Period: num(b.Period) } : {}),
          EvaluationPeriods: evaluationPeriods,
          ...(num(b.Threshold) !== undefined ? { Threshold: num(b.Threshold) } : {}),
          ComparisonOperator: bodyString(b.ComparisonOperator),
          ...(b.TreatMissingData !== undefined ? { TreatMissingData: bodyString(b.TreatMissingData) } : {}),
          StateValue: 'INSUFFICIENT_DATA',
          StateReason: 'Unchecked: Initial alarm creation',
          AlarmConfigurationUpdatedTimestamp: now,
          StateUpdatedTimestamp: now,
        };
        return {};
      },
    },
    DescribeAlarms: {
      handler(ctx) {
        const names = strings(ctx.body.AlarmNames);
        const prefix = bodyString(ctx.body.AlarmNamePrefix);
        const MetricAlarms = Object.values(alarmsOf(ctx))
          .filter((a) => (names.length ? names.includes(a.AlarmName) : a.AlarmName.startsWith(prefix)))
          .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName))
          .map(answer);
        return { MetricAlarms, CompositeAlarms: [] };
      },
    },
    DescribeAlarmsForMetric: {
      handler(ctx) {
        const metric = bodyString(ctx.body.MetricName);
        const namespace = bodyString(ctx.body.Namespace);
        const MetricAlarms = Object.values(alarmsOf(ctx))
          .filter((a) => a.MetricName === metric && a.Namespace === namespace)
          .map(answer);
        return { MetricAlarms };
      },
    },
    DeleteAlarms: {
      handler(ctx) {
        const alarms = alarmsOf(ctx);
        const names = strings(ctx.body.AlarmNames);
        const missing = names.filter((n) => !alarms[n]);
        if (missing.length)
          throw new SimError(
            'ResourceNotFound',
            `The following alarms could not be found: [${missing.join(', ')}]`,
            404,
          );
        for (const n of names) delete alarms[n];
        return {};
      },
    },
  },
});
