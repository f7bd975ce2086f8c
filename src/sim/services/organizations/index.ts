import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import type { SimState } from '../../state.js';

/** A service or resource control policy. */
export interface OrgPolicy {
  id: string;
  name: string;
  type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
  content: string;
  awsManaged: boolean;
  /** Root, OU and account ids it is attached to. */
  targets: string[];
}

/** The organisation, kept in its management account's slice. */
export interface Organization {
  id: string;
  managementAccount: string;
  rootId: string;
  /** OU id → name and parent id. */
  ous: Record<string, { name: string; parentId: string }>;
  /** Member account id (management included) → parent id. */
  accounts: Record<string, string>;
  policies: Record<string, OrgPolicy>;
  /** When the organisation was made (every account's joined time here). */
  created?: string;
  /** Delegated administrator account → the service principals it administers, and since when. */
  delegated?: Record<string, { service: string; since: string }[]>;
}

/** Per account: the organisation (management account) or where to find it (members). */
export interface OrganizationsState {
  organization?: Organization;
  managementAccount?: string;
}

type Ctx = OpContext<OrganizationsState>;
type Op = OperationDef<OrganizationsState>;

const SERVICE = 'organizations';
const FULL_ACCESS_ID = 'p-FullAWSAccess';
const FULL_ACCESS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

const slice = (sim: SimState, account: string): OrganizationsState =>
  sim.serviceState<OrganizationsState>(account, SERVICE, () => ({}));

/** The caller's organisation, or AWS's error for an account outside any. */
function organizationOf(ctx: Ctx): Organization {
  const org = organizationOfAccount(ctx.sim, ctx.caller.accountId);
  if (!org)
    throw new SimError(
      'AWSOrganizationsNotInUseException',
      'Your account is not a member of an organization.',
      400,
    );
  return org;
}

/** Calls only the management account may make (members get AccessDeniedException). */
function managedBy(ctx: Ctx): Organization {
  const org = organizationOf(ctx);
  if (org.managementAccount !== ctx.caller.accountId)
    throw new SimError('AccessDeniedException', "You don't have permissions to access this resource.", 400);
  return org;
}

/** Calls the management account or a delegated administrator may make. */
function managedOrDelegated(ctx: Ctx): Organization {
  const org = organizationOf(ctx);
  if (org.managementAccount !== ctx.caller.accountId && !org.delegated?.[ctx.caller.accountId])
    throw new SimError('AccessDeniedException', "You don't have permissions to access this resource.", 400);
  return org;
}

/** An account as ListAccounts and ListDelegatedAdministrators describe it (times in epoch seconds). */
function accountEntry(ctx: Ctx, org: Organization, id: string) {
  return {
    Id: id,
    Arn: `arn:aws:organizations::${org.managementAccount}:account/${org.id}/${id}`,
    Email: `aws-${id}@example.com`,
    Name: ctx.sim.account(id)?.label ?? id,
    Status: 'ACTIVE',
    State: 'ACTIVE',
    JoinedMethod: id === org.managementAccount ? 'CREATED' : 'INVITED',
    JoinedTimestamp: Date.parse(org.created ?? '2026-01-01T00:00:00Z') / 1000,
  };
}

const orgArn = (org: Organization) =>
  `arn:aws:organizations::${org.managementAccount}:organization/${org.id}`;

function policyArn(org: Organization, p: OrgPolicy): string {
  const kind = p.type.toLowerCase();
  return p.awsManaged
    ? `arn:aws:organizations::aws:policy/${kind}/${p.id}`
    : `arn:aws:organizations::${org.managementAccount}:policy/${org.id}/${kind}/${p.id}`;
}

function summary(org: Organization, p: OrgPolicy) {
  return {
    Id: p.id,
    Arn: policyArn(org, p),
    Name: p.name,
    Description: '',
    Type: p.type,
    AwsManaged: p.awsManaged,
  };
}

function parentOf(org: Organization, childId: string): string | undefined {
  return org.accounts[childId] ?? org.ous[childId]?.parentId;
}

const operations: Record<string, Op> = {
  DescribeOrganization: {
    handler(ctx) {
      const org = organizationOf(ctx);
      return {
        Organization: {
          Id: org.id,
          Arn: orgArn(org),
          FeatureSet: 'ALL',
          MasterAccountArn: `arn:aws:organizations::${org.managementAccount}:account/${org.id}/${org.managementAccount}`,
          MasterAccountId: org.managementAccount,
          MasterAccountEmail: `aws-${org.managementAccount}@example.com`,
          AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
        },
      };
    },
  },
  ListRoots: {
    handler(ctx) {
      const org = managedBy(ctx);
      return {
        Roots: [
          {
            Id: org.rootId,
            Arn: `arn:aws:organizations::${org.managementAccount}:root/${org.id}/${org.rootId}`,
            Name: 'Root',
            PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
          },
        ],
      };
    },
  },
  ListParents: {
    handler(ctx) {
      const org = managedBy(ctx);
      const child = bodyString(ctx.body.ChildId);
      const parent = parentOf(org, child);
      if (!parent)
        throw new SimError('ChildNotFoundException', "We can't find a child with the ID you specified.", 400);
      return { Parents: [{ Id: parent, Type: parent === org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
    },
  },
  ListPoliciesForTarget: {
    handler(ctx) {
      const org = managedBy(ctx);
      const target = bodyString(ctx.body.TargetId);
      const filter = bodyString(ctx.body.Filter);
      if (target !== org.rootId && !org.ous[target] && !org.accounts[target])
        throw new SimError(
          'TargetNotFoundException',
          "We can't find a root, OU, account, or policy with the TargetId that you specified.",
          400,
        );
      const policies = Object.values(org.policies).filter(
        (p) => p.type === filter && p.targets.includes(target),
      );
      return { Policies: policies.map((p) => summary(org, p)) };
    },
  },
  ListAccounts: {
    handler(ctx) {
      const org = managedOrDelegated(ctx);
      return { Accounts: Object.keys(org.accounts).map((id) => accountEntry(ctx, org, id)) };
    },
  },
  ListDelegatedAdministrators: {
    handler(ctx) {
      const org = managedBy(ctx);
      const service = bodyString(ctx.body.ServicePrincipal);
      const admins = Object.entries(org.delegated ?? {}).filter(
        ([, list]) => !service || list.some((d) => d.service === service),
      );
      return {
        DelegatedAdministrators: admins.map(([id, list]) => ({
          ...accountEntry(ctx, org, id),
          DelegationEnabledDate: Math.min(...list.map((d) => Date.parse(d.since))) / 1000,
        })),
      };
    },
  },
  ListDelegatedServicesForAccount: {
    handler(ctx) {
      const org = managedBy(ctx);
      const account = bodyString(ctx.body.AccountId);
      if (!org.accounts[account])
        throw new SimError('AccountNotFoundException', "You specified an account that doesn't exist.", 400);
      const list = org.delegated?.[account];
      if (!list?.length)
        throw new SimError(
          'AccountNotRegisteredException',
          'The provided account is not a registered delegated administrator for your organization.',
          400,
        );
      return {
        DelegatedServices: list.map((d) => ({
          ServicePrincipal: d.service,
          DelegationEnabledDate: Date.parse(d.since) / 1000,
        })),
      };
    },
  },
  DescribePolicy: {
    handler(ctx) {
      const org = managedBy(ctx);
      const p = org.policies[bodyString(ctx.body.PolicyId)];
      if (!p)
        throw new SimError(
          'PolicyNotFoundException',
          "We can't find a policy with the PolicyId that you specified.",
          400,
        );
      return { Policy: { PolicySummary: summary(org, p), Content: p.content } };
    },
  },
};

/** AWS Organizations (awsJson1.1, API 2016-11-28), read side: the SCPs over an account, the accounts and delegated administrators. */
export const organizationsService = defineService<OrganizationsState>({
  signingName: SERVICE,
  protocol: 'json',
  targetPrefix: 'AWSOrganizationsV20161128',
  eventSource: 'organizations.amazonaws.com',
  apiVersion: '2016-11-28',
  globalRegion: 'us-east-1',
  endpointHost: () => 'organizations.us-east-1.amazonaws.com',
  initState: () => ({}),
  operations,
});

/** The organisation an account belongs to (management or member), if any. */
export function organizationOfAccount(sim: SimState, account: string): Organization | undefined {
  // Read without creating slices: every record asks, and most accounts are in no organisation.
  const own = sim.account(account)?.services[SERVICE] as OrganizationsState | undefined;
  if (!own) return undefined;
  if (own.organization) return own.organization;
  const management = own.managementAccount ? sim.account(own.managementAccount) : undefined;
  return (management?.services[SERVICE] as OrganizationsState | undefined)?.organization;
}

/** What `createOrganization` builds. */
export interface OrganizationSetup {
  management: string;
  /** Member accounts, each at the root or in a named OU. */
  members: { account: string; ou?: string }[];
  /** Control policies (besides FullAWSAccess, attached everywhere as AWS does): attached to `root`, an OU name or an account id. */
  policies?: { name: string; content: unknown; targets: string[]; type?: OrgPolicy['type'] }[];
  /** Member accounts registered as delegated administrators of a service (`guardduty.amazonaws.com`). */
  delegatedAdministrators?: { account: string; service: string }[];
}

/** Put accounts in an organisation, in-process (the simulated account has no CreateOrganization). */
export function createOrganization(sim: SimState, setup: OrganizationSetup): Organization {
  const id = `o-${sim.ids.token(10).toLowerCase()}`;
  const rootId = `r-${sim.ids.token(4).toLowerCase()}`;
  const org: Organization = {
    id,
    managementAccount: setup.management,
    rootId,
    ous: {},
    accounts: {},
    policies: {},
    created: sim.nowIso(),
    delegated: {},
  };
  const ouIds = new Map<string, string>();
  for (const m of [{ account: setup.management }, ...setup.members]) {
    let parent = rootId;
    if ('ou' in m && m.ou) {
      if (!ouIds.has(m.ou)) {
        const ouId = `ou-${rootId.slice(2)}-${sim.ids.token(8).toLowerCase()}`;
        ouIds.set(m.ou, ouId);
        org.ous[ouId] = { name: m.ou, parentId: rootId };
      }
      parent = ouIds.get(m.ou)!;
    }
    org.accounts[m.account] = parent;
    if (m.account !== setup.management) slice(sim, m.account).managementAccount = setup.management;
  }
  org.policies[FULL_ACCESS_ID] = {
    id: FULL_ACCESS_ID,
    name: 'FullAWSAccess',
    type: 'SERVICE_CONTROL_POLICY',
    content: FULL_ACCESS,
    awsManaged: true,
    targets: [rootId, ...ouIds.values(), ...Object.keys(org.accounts)],
  };
  for (const p of setup.policies ?? []) {
    const pid = `p-${sim.ids.token(8).toLowerCase()}`;
    org.policies[pid] = {
      id: pid,
      name: p.name,
      type: p.type ?? 'SERVICE_CONTROL_POLICY',
      content: typeof p.content === 'string' ? p.content : JSON.stringify(p.content),
      awsManaged: false,
      targets: p.targets.map((t) => (t === 'root' ? rootId : (ouIds.get(t) ?? t))),
    };
  }
  for (const d of setup.delegatedAdministrators ?? []) {
    if (!org.accounts[d.account] || d.account === setup.management)
      throw new Error(`delegated administrator ${d.account} must be a member account`);
    (org.delegated![d.account] ??= []).push({ service: d.service, since: sim.nowIso() });
  }
  slice(sim, setup.management).organization = org;
  return org;
}

/** Undo `createOrganization` (members leave, then the organisation is deleted), in-process. */
export function deleteOrganization(sim: SimState, management: string): void {
  const org = slice(sim, management).organization;
  if (!org) throw new Error(`${management} manages no organisation`);
  for (const account of Object.keys(org.accounts)) delete slice(sim, account).managementAccount;
  delete slice(sim, management).organization;
}

/**
 * The service control policies over a member account, one entry per level from the root down
 * through its OUs to the account (the policy engine's form: an allow must hold at every level). The
 * management account is not bound by SCPs, nor is an account outside any organisation: [].
 */
export function serviceControlPoliciesOf(
  sim: SimState,
  account: string,
): { orgIdentifier: string; policies: { name: string; policy: unknown }[] }[] {
  const org = organizationOfAccount(sim, account);
  if (!org || org.managementAccount === account || !org.accounts[account]) return [];
  const levels: string[] = [account];
  for (let parent: string | undefined = org.accounts[account]; parent; parent = org.ous[parent]?.parentId)
    levels.unshift(parent);
  const scps = Object.values(org.policies).filter((p) => p.type === 'SERVICE_CONTROL_POLICY');
  return levels.map((level) => ({
    orgIdentifier: level,
    policies: scps
      .filter((p) => p.targets.includes(level))
      .map((p) => ({ name: p.name, policy: JSON.parse(p.content) as unknown })),
  }));
}
