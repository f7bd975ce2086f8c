import {
  SUCCEEDED,
  and,
  api,
  foreignAccount,
  json,
  lit,
  matches,
  not,
  or,
  req,
  resp,
  type JsonColumn,
} from '../sql.js';
import { rules } from './types.js';

/** Ports of remote administration, databases and caches that should never face the internet. */
const ADMIN_PORTS = [22, 23, 445, 1433, 2375, 3306, 3389, 5432, 5900, 5985, 6379, 9200, 11211, 27017];

/** The port range `[from, to]` contains an admin port: the first admin port ≥ from is ≤ to. */
function coversAdminPort(from: string, to: string): string {
  const next = ADMIN_PORTS.map((p) => `WHEN ${from} <= ${p} THEN ${p}`).join(' ');
  return `coalesce((CASE ${next} END) <= ${to}, false)`;
}

/**
 * One security-group rule at `path` of a JSON column is open to the whole internet (any /0: the
 * public datasets anonymise 0.0.0.0) on all traffic or on a range with an admin port. Rules come
 * as the response's `securityGroupRuleSet` items, the request's `ipPermissions` items, or the
 * request's top level (the single-rule form `--cidr 0.0.0.0/0 --port 22` sends).
 */
function openRule(column: JsonColumn, path: string): string {
  const at = (field: string): string => json(column, path ? `${path}.${field}` : field);
  const text = path ? `json_format(json_extract(${column}, ${lit(`$.${path}`)}))` : column;
  const num = (field: string): string => `try_cast(${at(field)} AS INTEGER)`;
  return and(
    matches(text, '"cidr(Ip|Ipv4|Ipv6|IpV6)?"\\s*:\\s*"[^"]*/0"'),
    or(`${at('ipProtocol')} = '-1'`, coversAdminPort(num('fromPort'), num('toPort'))),
  );
}

const ADMIN_OPEN = or(
  ...[0, 1, 2].map((k) => openRule('responseelements', `securityGroupRuleSet.items[${k}]`)),
  ...[0, 1, 2].map((k) => openRule('requestparameters', `ipPermissions.items[${k}]`)),
  openRule('requestparameters', ''),
);
const PUBLIC_CIDR = matches('requestparameters', '"cidr(Ip|Ipv6|Block|Ipv6Block)?"\\s*:\\s*"[^"]*/0"');
const INGRESS = api('ec2', 'AuthorizeSecurityGroupIngress');

/** Network: security groups, ACLs, routes, peering, VPNs and traffic mirroring. */
export const NETWORK_RULES = rules([
  {
    id: 'ec2-security-group-open',
    title: 'Security group opened to the internet on an administration port',
    category: 'exfiltration',
    technique: 'T1048',
    tactic: 'exfiltration',
    severity: 'high',
    where: and(INGRESS, ADMIN_OPEN),
    explain: 'SSH, RDP, a database or all traffic now accepts connections from any address.',
    remediation:
      'Revoke the rule (securityGroupRuleId in the response) and check logins on the hosts behind it.',
  },
  {
    id: 'ec2-security-group-open-service',
    title: 'Security group opened to the internet on a service port',
    category: 'defense-evasion',
    technique: 'T1562.007',
    tactic: 'defense-evasion',
    severity: 'low',
    where: and(INGRESS, PUBLIC_CIDR, not(ADMIN_OPEN)),
    explain: 'A port other than an administration port now faces the whole internet.',
    remediation: 'Confirm the service is meant to be public, else revoke the rule.',
  },
  {
    id: 'ec2-network-acl-open',
    title: 'Network ACL allows the internet in on all traffic or an administration port',
    category: 'defense-evasion',
    technique: 'T1562.007',
    tactic: 'defense-evasion',
    severity: 'medium',
    where: and(
      api('ec2', 'CreateNetworkAclEntry', 'ReplaceNetworkAclEntry'),
      `${req('ruleAction')} = 'allow'`,
      `coalesce(${req('egress')}, 'false') = 'false'`,
      matches(`coalesce(${req('cidrBlock')}, ${req('ipv6CidrBlock')})`, '/0$'),
      or(
        `${req('aclProtocol')} = '-1'`,
        coversAdminPort(
          `try_cast(${req('portRange.from')} AS INTEGER)`,
          `try_cast(${req('portRange.to')} AS INTEGER)`,
        ),
      ),
    ),
    explain: 'The subnet-level firewall now lets any address reach administration ports.',
    remediation:
      'Delete or replace the entry (networkAclId, ruleNumber) and review the security groups behind it.',
  },
  {
    id: 'ec2-internet-route-added',
    title: 'Default route to an internet gateway added',
    category: 'defense-evasion',
    technique: 'T1562.007',
    tactic: 'defense-evasion',
    severity: 'low',
    where: and(
      api('ec2', 'CreateRoute', 'ReplaceRoute'),
      matches(`coalesce(${req('destinationCidrBlock')}, ${req('destinationIpv6CidrBlock')})`, '/0$'),
      matches(req('gatewayId'), '^igw-'),
    ),
    explain: 'Subnets using this route table can now reach and be reached from the internet.',
    remediation: 'Check the route table is a public subnet’s by design, else remove the route.',
  },
  {
    id: 'ec2-vpc-peering-foreign',
    title: 'VPC peered with another account',
    category: 'exfiltration',
    technique: 'T1537',
    tactic: 'exfiltration',
    severity: 'high',
    where: or(
      and(api('ec2', 'CreateVpcPeeringConnection'), foreignAccount(req('peerOwnerId'))),
      and(
        api('ec2', 'AcceptVpcPeeringConnection'),
        foreignAccount(resp('vpcPeeringConnection.requesterVpcInfo.ownerId')),
      ),
    ),
    explain: 'A network path now joins a VPC of this account to one of another account.',
    remediation: 'Delete the peering connection unless the other account is a known partner.',
  },
  {
    id: 'ec2-vpn-created',
    title: 'VPN or customer gateway created',
    category: 'persistence',
    technique: 'T1133',
    tactic: 'persistence',
    severity: 'medium',
    where: and(
      api('ec2', 'CreateCustomerGateway', 'CreateVpnConnection', 'CreateClientVpnEndpoint'),
      SUCCEEDED,
    ),
    explain: 'A VPN gives an outside network a private path into the VPCs.',
    remediation: 'Check the gateway address belongs to the organisation, else delete the VPN connection.',
  },
  {
    id: 'ec2-traffic-mirroring',
    title: 'Traffic mirroring session or target created',
    category: 'data-access',
    technique: 'T1040',
    tactic: 'credential-access',
    severity: 'high',
    where: and(api('ec2', 'CreateTrafficMirrorSession', 'CreateTrafficMirrorTarget'), SUCCEEDED),
    explain: 'Mirroring copies the packets of an instance, secrets in clear included, to another target.',
    remediation:
      'Delete the mirror session and target, and rotate credentials the mirrored hosts use in clear.',
  },
  {
    id: 'ec2-subnet-public-ip-on-launch',
    title: 'Subnet set to give instances public addresses',
    category: 'defense-evasion',
    technique: 'T1562.007',
    tactic: 'defense-evasion',
    severity: 'low',
    where: and(
      api('ec2', 'ModifySubnetAttribute'),
      matches('requestparameters', '"mapPublicIpOnLaunch"\\s*:\\s*\\{[^}]*"value"\\s*:\\s*"?true'),
    ),
    explain: 'New instances in the subnet get public addresses.',
    remediation: 'Confirm the subnet is meant to be public, else turn the attribute off.',
  },
]);
