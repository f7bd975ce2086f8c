import { call, type CallSpec } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

/** An ingress rule as the EC2 query API records it (ipPermissions items with ipRanges items). */
const permission = (protocol: string, from: number | null, to: number | null, cidr: string) => ({
  ipProtocol: protocol,
  ...(from === null ? {} : { fromPort: from, toPort: to }),
  groups: {},
  ipRanges: { items: [{ cidrIp: cidr }] },
  ipv6Ranges: {},
  prefixListIds: {},
});

/** The response's view of the same rule (securityGroupRuleSet items). */
const ruleSet = (protocol: string, from: number, to: number, cidr: string) => ({
  requestId: '6a2f1f4e-3d4c-4b21-9a57-2f1c9b0f2e11',
  _return: true,
  securityGroupRuleSet: {
    items: [
      {
        groupOwnerId: '{ACCOUNT}',
        groupId: 'sg-0a1b2c3d4e5f60718',
        securityGroupRuleId: 'sgr-0f1e2d3c4b5a69788',
        isEgress: false,
        ipProtocol: protocol,
        fromPort: from,
        toPort: to,
        cidrIpv4: cidr,
      },
    ],
  },
});

/** AuthorizeSecurityGroupIngress of one tcp range for `cidr`, the request and the response. */
const ingress = (
  from: number,
  to: number,
  cidr: string,
  more: Omit<CallSpec, 'api' | 'request' | 'response'> = {},
): CallSpec =>
  call(
    'ec2:AuthorizeSecurityGroupIngress',
    { groupId: 'sg-0a1b2c3d4e5f60718', ipPermissions: { items: [permission('tcp', from, to, cidr)] } },
    { response: ruleSet('tcp', from, to, cidr), ...more },
  );

export const NETWORK_SAMPLES: Sample[] = [
  fires('ec2-security-group-open', 'RDP opened to 0.0.0.0/0', ingress(3389, 3389, '0.0.0.0/0')),
  fires(
    'ec2-security-group-open',
    'all traffic opened to ::/0 with the single-rule form, refused',
    call(
      'ec2:AuthorizeSecurityGroupIngress',
      {
        groupId: 'sg-0a1b2c3d4e5f60718',
        ipPermissions: {
          items: [
            {
              ipProtocol: '-1',
              groups: {},
              ipRanges: {},
              ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
              prefixListIds: {},
            },
          ],
        },
      },
      { error: ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'] },
    ),
  ),
  fires(
    'ec2-security-group-open',
    'a port range 0-65535 (SSH included) opened with the flat parameters',
    call('ec2:AuthorizeSecurityGroupIngress', {
      groupId: 'sg-0a1b2c3d4e5f60718',
      ipPermissions: {},
      ipProtocol: 'tcp',
      fromPort: 0,
      toPort: 65535,
      cidrIp: '0.0.0.0/0',
    }),
  ),
  quiet(
    'ec2-security-group-open',
    'HTTPS opened to the world on a load balancer group',
    ingress(443, 443, '0.0.0.0/0'),
  ),
  quiet(
    'ec2-security-group-open',
    'SSH opened to the office range only',
    ingress(22, 22, '203.0.113.0/24', { as: 'AssumedRole' }),
  ),
  quiet(
    'ec2-security-group-open',
    'ports 446-1432 (between SMB and SQL Server) opened to the world',
    ingress(446, 1432, '0.0.0.0/0'),
  ),
  fires(
    'ec2-security-group-open',
    'ports 400-445 (ending on SMB) opened to the world',
    ingress(400, 445, '0.0.0.0/0'),
  ),
  fires(
    'ec2-security-group-open',
    'ports 27017-27019 (starting on MongoDB) opened to the world',
    ingress(27017, 27019, '0.0.0.0/0'),
  ),
  fires('ec2-security-group-open-service', 'port 8443 opened to the world', ingress(8443, 8443, '0.0.0.0/0')),
  quiet(
    'ec2-security-group-open-service',
    'port 8443 opened to a peer security group',
    call('ec2:AuthorizeSecurityGroupIngress', {
      groupId: 'sg-0a1b2c3d4e5f60718',
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 8443,
            toPort: 8443,
            groups: { items: [{ groupId: 'sg-0123456789abcdef0' }] },
            ipRanges: {},
            ipv6Ranges: {},
            prefixListIds: {},
          },
        ],
      },
    }),
  ),
  fires(
    'ec2-network-acl-open',
    'an allow-all inbound entry at rule 1',
    call('ec2:CreateNetworkAclEntry', {
      networkAclId: 'acl-0c1d2e3f4a5b6c7d8',
      ruleNumber: 1,
      egress: false,
      ruleAction: 'allow',
      icmpTypeCode: {},
      portRange: {},
      aclProtocol: '-1',
      cidrBlock: '0.0.0.0/0',
    }),
  ),
  quiet(
    'ec2-network-acl-open',
    'a deny entry for a scanner’s range',
    call('ec2:CreateNetworkAclEntry', {
      networkAclId: 'acl-0c1d2e3f4a5b6c7d8',
      ruleNumber: 90,
      egress: false,
      ruleAction: 'deny',
      icmpTypeCode: {},
      portRange: { from: 22, to: 22 },
      aclProtocol: '6',
      cidrBlock: '0.0.0.0/0',
    }),
  ),
  fires(
    'ec2-internet-route-added',
    'a default route to an internet gateway',
    call('ec2:CreateRoute', {
      routeTableId: 'rtb-0d4916f528a90fa4e',
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: 'igw-02a84e4222d62e16b',
    }),
  ),
  quiet(
    'ec2-internet-route-added',
    'a default route through a NAT gateway (outbound only)',
    call('ec2:CreateRoute', {
      routeTableId: 'rtb-0d4916f528a90fa4e',
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: 'nat-03575abbac42080d9',
    }),
  ),
  fires(
    'ec2-vpc-peering-foreign',
    'a peering request to a VPC of another account',
    call('ec2:CreateVpcPeeringConnection', {
      vpcId: 'vpc-06fe1a64761a0f720',
      peerVpcId: 'vpc-0aa1bb2cc3dd4ee5f',
      peerOwnerId: '{FOREIGN}',
      peerRegion: 'us-east-1',
    }),
  ),
  quiet(
    'ec2-vpc-peering-foreign',
    'peering two VPCs of the same account',
    call('ec2:CreateVpcPeeringConnection', {
      vpcId: 'vpc-06fe1a64761a0f720',
      peerVpcId: 'vpc-0bb2cc3dd4ee5ff60',
      peerOwnerId: '{ACCOUNT}',
    }),
  ),
  fires(
    'ec2-vpn-created',
    'a customer gateway for an unknown address',
    call(
      'ec2:CreateCustomerGateway',
      { type: 'ipsec.1', ipAddress: '{IP2}', bgpAsn: 65000 },
      { response: { customerGateway: { customerGatewayId: 'cgw-0e1f2a3b4c5d6e7f8', state: 'available' } } },
    ),
  ),
  quiet(
    'ec2-vpn-created',
    'the VPN connections listed',
    call('ec2:DescribeVpnConnections', { vpnConnectionSet: {}, filterSet: {} }),
  ),
  fires(
    'ec2-traffic-mirroring',
    'a mirror session copying an instance’s interface',
    call('ec2:CreateTrafficMirrorSession', {
      CreateTrafficMirrorSessionRequest: {
        NetworkInterfaceId: 'eni-0123456789abcdef0',
        TrafficMirrorTargetId: 'tmt-0fedcba9876543210',
        TrafficMirrorFilterId: 'tmf-0a1b2c3d4e5f67890',
        SessionNumber: 1,
      },
    }),
  ),
  quiet(
    'ec2-traffic-mirroring',
    'mirror sessions listed',
    call('ec2:DescribeTrafficMirrorSessions', { DescribeTrafficMirrorSessionsRequest: {} }),
  ),
  fires(
    'ec2-subnet-public-ip-on-launch',
    'a subnet set to map public addresses',
    call('ec2:ModifySubnetAttribute', { subnetId: 'subnet-0a1b2c3d', mapPublicIpOnLaunch: { value: true } }),
  ),
  quiet(
    'ec2-subnet-public-ip-on-launch',
    'a subnet set to stop mapping public addresses',
    call('ec2:ModifySubnetAttribute', { subnetId: 'subnet-0a1b2c3d', mapPublicIpOnLaunch: { value: false } }),
  ),
];
