import { Ec2Error } from './errors.js';
import { checkFilters, matchesFilters, type FilterTable } from './filters.js';
import type { Ec2OpSpec } from './operation.js';
import type { SecurityGroup, SecurityGroupRule } from './model.js';
import { filtersOf, intOf } from './parse.js';
import { ruleWire } from './security-groups.js';
import { ec2Region, paginate, tagSet, tagsOf } from './world.js';

interface Located {
  group: SecurityGroup;
  rule: SecurityGroupRule;
}

const RULE_FILTERS: FilterTable<Located> = {
  'group-id': (x) => x.group.groupId,
  'security-group-rule-id': (x) => x.rule.ruleId,
};

/** DescribeSecurityGroupRules: every rule of the region's groups, one source each, by id or filter. */
export const SECURITY_GROUP_RULE_OPERATIONS: Record<string, Ec2OpSpec> = {
  DescribeSecurityGroupRules: {
    trailStyle: 'wrapped',
    run: (c) => {
      const region = ec2Region(c.world, c.deps, c.account, c.region);
      const all = Object.values(region.securityGroups).flatMap((group) =>
        group.rules.map((rule) => ({ group, rule })),
      );
      const ids = c.p.list('SecurityGroupRuleId');
      for (const id of ids)
        if (!all.some((x) => x.rule.ruleId === id))
          throw new Ec2Error(
            'InvalidSecurityGroupRuleId.NotFound',
            `The security group rule ID '${id}' does not exist`,
          );
      const filters = filtersOf(c.p);
      checkFilters(filters, RULE_FILTERS);
      const matching = all.filter(
        (x) =>
          (!ids.length || ids.includes(x.rule.ruleId)) &&
          matchesFilters(x, filters, RULE_FILTERS, (y) => tagsOf(region, y.rule.ruleId)),
      );
      const { page, nextToken } = paginate(matching, intOf(c.p, 'MaxResults'), c.p.get('NextToken'));
      return {
        securityGroupRuleSet: page.map(({ group, rule }) => ({
          ...ruleWire(group, rule),
          tagSet: tagSet(region, rule.ruleId),
          securityGroupRuleArn: `arn:aws:ec2:${c.region}:${group.ownerId}:security-group-rule/${rule.ruleId}`,
        })),
        nextToken,
      };
    },
  },
};
