import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext } from '../../core/service.js';

/** A metric filter as PutMetricFilter stores it. */
interface MetricFilter {
  filterName: string;
  filterPattern: string;
  metricTransformations: { metricName: string; metricNamespace: string; metricValue: string }[];
  creationTime: number;
}

interface LogGroup {
  logGroupName: string;
  creationTime: number;
  metricFilters: Record<string, MetricFilter>;
}

/** Per account: log groups by region, then by name. */
interface LogsState {
  groups: Record<string, Record<string, LogGroup>>;
}

type Ctx = OpContext<LogsState>;

function groupsOf(ctx: Ctx): Record<string, LogGroup> {
  return (ctx.state.groups[ctx.region] ??= {});
}

function groupArn(ctx: Ctx, name: string): string {
  return `arn:aws:logs:${ctx.region}:${ctx.caller.accountId}:log-group:${name}`;
}

function notFound(): SimError {
  return new SimError('ResourceNotFoundException', 'The specified log group does not exist.', 400);
}

function groupNamed(ctx: Ctx): LogGroup {
  const group = groupsOf(ctx)[bodyString(ctx.body.logGroupName)];
  if (!group) throw notFound();
  return group;
}

const groupAuth = { resource: (ctx: Ctx) => `${groupArn(ctx, bodyString(ctx.body.logGroupName))}:*` };

function filterShape(group: LogGroup, f: MetricFilter) {
  return { ...f, logGroupName: group.logGroupName };
}

/**
 * CloudWatch Logs (awsJson1.1, API 2014-03-28), the part an audit reads: log groups and metric
 * filters (CIS AWS Foundations 3.0.0 §4 alarms are metric filters on the trail's log group).
 */
export const logsService = defineService<LogsState>({
  signingName: 'logs',
  protocol: 'json',
  targetPrefix: 'Logs_20140328',
  eventSource: 'logs.amazonaws.com',
  apiVersion: '2014-03-28',
  endpointHost: (region) => `logs.${region}.amazonaws.com`,
  initState: () => ({ groups: {} }),
  operations: {
    CreateLogGroup: {
      auth: groupAuth,
      handler(ctx) {
        const name = bodyString(ctx.body.logGroupName);
        if (!/^[\w\-/.#]{1,512}$/.test(name))
          throw new SimError(
            'InvalidParameterException',
            `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint`,
            400,
          );
        const groups = groupsOf(ctx);
        if (groups[name])
          throw new SimError('ResourceAlreadyExistsException', 'The specified log group already exists', 400);
        groups[name] = { logGroupName: name, creationTime: ctx.now.getTime(), metricFilters: {} };
        return {};
      },
    },
    DescribeLogGroups: {
      handler(ctx) {
        const prefix = bodyString(ctx.body.logGroupNamePrefix);
        const logGroups = Object.values(groupsOf(ctx))
          .filter((g) => g.logGroupName.startsWith(prefix))
          .sort((a, b) => a.logGroupName.localeCompare(b.logGroupName))
          .map((g) => ({
            logGroupName: g.logGroupName,
            creationTime: g.creationTime,
            metricFilterCount: Object.keys(g.metricFilters).length,
            arn: `${groupArn(ctx, g.logGroupName)}:*`,
            logGroupArn: groupArn(ctx, g.logGroupName),
            storedBytes: 0,
          }));
        return { logGroups };
      },
    },
    DeleteLogGroup: {
      auth: groupAuth,
      handler(ctx) {
        const group = groupNamed(ctx);
        delete groupsOf(ctx)[group.logGroupName];
        return {};
      },
    },
    PutMetricFilter: {
      auth: groupAuth,
      handler(ctx) {
        const group = groupNamed(ctx);
        const transformations = Array.isArray(ctx.body.metricTransformations)
          ? ctx.body.metricTransformations
          : [];
        if (transformations.length !== 1)
          throw new SimError(
            'InvalidParameterException',
            'metricTransformations must contain exactly one transformation',
            400,
          );
        const t = transformations[0] as Record<string, unknown>;
        const filterName = bodyString(ctx.body.filterName);
        group.metricFilters[filterName] = {
          filterName,
          filterPattern: bodyString(ctx.body.filterPattern),
          metricTransformations: [
            {
              metricName: bodyString(t.metricName),
              metricNamespace: bodyString(t.metricNamespace),
              metricValue: bodyString(t.metricValue),
            },
          ],
          creationTime: ctx.now.getTime(),
        };
        return {};
      },
    },
    DescribeMetricFilters: {
      handler(ctx) {
        const named = bodyString(ctx.body.logGroupName);
        const groups = named ? [groupNamed(ctx)] : Object.values(groupsOf(ctx));
        const prefix = bodyString(ctx.body.filterNamePrefix);
        const metricName = bodyString(ctx.body.metricName);
        const namespace = bodyString(ctx.body.metricNamespace);
        const metricFilters = groups.flatMap((g) =>
          Object.values(g.metricFilters)
            .filter((f) => f.filterName.startsWith(prefix))
            .filter(
              (f) =>
                (!metricName || f.metricTransformations.some((t) => t.metricName === metricName)) &&
                (!namespace || f.metricTransformations.some((t) => t.metricNamespace === namespace)),
            )
            .map((f) => filterShape(g, f)),
        );
        return { metricFilters };
      },
    },
    DeleteMetricFilter: {
      auth: groupAuth,
      handler(ctx) {
        const group = groupNamed(ctx);
        const name = bodyString(ctx.body.filterName);
        if (!group.metricFilters[name])
          throw new SimError('ResourceNotFoundException', 'The specified metric filter does not exist.', 400);
        delete group.metricFilters[name];
        return {};
      },
    },
  },
});
