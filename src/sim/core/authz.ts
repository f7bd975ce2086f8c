import {
  anonymousPrincipal,
  getDenialReasons,
  isWildcardOnlyAction,
  runSimulation,
  type RequestAnalysis,
  type Simulation,
  type SimulationIdentityPolicy,
} from '@cloud-copilot/iam-simulate';
import { isoSeconds } from '../clock.js';
import { AWS_MANAGED_POLICIES } from '../services/iam/aws-managed.js';
import type { PolicyHolder } from '../services/iam/model.js';
import type { AccountState, SimState } from '../state.js';
import type { AuthDecision, AuthorizeOptions, Caller } from './service.js';
import { serviceControlPoliciesOf } from '../services/organizations/index.js';

/** The parsed document of a managed policy (AWS managed or the account's own), or undefined. */
export function managedPolicyDocument(account: AccountState, arn: string): unknown {
  const aws = AWS_MANAGED_POLICIES[arn];
  if (aws) return aws.document;
  const owner = account.iam.policies[arn];
  const version = owner?.versions.find((v) => v.versionId === owner.defaultVersionId);
  return version ? parsePolicy(version.document) : undefined;
}

/** Parse a policy document (IAM stores them as JSON text; some clients URL-encode them). */
export function parsePolicy(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(decodeURIComponent(text));
  }
}

function holderPolicies(
  account: AccountState,
  holder: PolicyHolder,
  label: string,
): SimulationIdentityPolicy[] {
  const out: SimulationIdentityPolicy[] = [];
  for (const [name, doc] of Object.entries(holder.inlinePolicies))
    out.push({ name: `${label}/inline/${name}`, policy: parsePolicy(doc) });
  for (const arn of holder.attachedPolicies) {
    const doc = managedPolicyDocument(account, arn);
    if (doc) out.push({ name: `${label}/${arn}`, policy: doc });
  }
  return out;
}

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

interface PrincipalPolicies {
  identity: SimulationIdentityPolicy[];
  boundary?: { name: string; policy: unknown }[] | undefined;
  session?: unknown;
  /** Set when the credentials can never perform the action (AWS's fixed rules for some sessions). */
  refuse?: 'session' | undefined;
}

/** Actions GetSessionToken credentials may call in STS; IAM needs MFA (AWS STS docs). */
const SESSION_TOKEN_STS = new Set(['sts:AssumeRole', 'sts:GetCallerIdentity']);

function principalPolicies(sim: SimState, caller: Caller, action: string): PrincipalPolicies {
  const account = sim.accountOrThrow(caller.accountId);
  const s = caller.session;
  const userPolicies = (userName: string | undefined): PrincipalPolicies => {
    if (!userName) return { identity: [{ name: 'root', policy: ALLOW_ALL }] };
    const user = account.iam.users[userName];
    if (!user) return { identity: [] };
    const identity = holderPolicies(account, user, `user/${userName}`);
    for (const g of user.groups) {
      const group = account.iam.groups[g];
      if (group) identity.push(...holderPolicies(account, group, `group/${g}`));
    }
    const pb = user.permissionsBoundary
      ? managedPolicyDocument(account, user.permissionsBoundary)
      : undefined;
    return { identity, boundary: pb ? [{ name: 'boundary', policy: pb }] : undefined };
  };
  if (caller.type === 'Root' && !s) return { identity: [{ name: 'root', policy: ALLOW_ALL }] };
  if (!s) return userPolicies(caller.userName);
  const sessionDoc = sessionPolicyOf(account, s.sessionPolicy, s.sessionPolicyArns);
  switch (s.kind) {
    case 'session-token': {
      // GetSessionToken credentials cannot call IAM without MFA, and in STS only AssumeRole and
      // GetCallerIdentity (IAM UG "Comparing the AWS STS API operations").
      if (
        (action.startsWith('iam:') && !s.mfaAuthenticated) ||
        (action.startsWith('sts:') && !SESSION_TOKEN_STS.has(action))
      ) {
        return { identity: [], refuse: 'session' };
      }
      return userPolicies(s.userName);
    }
    case 'federated-user': {
      // Federated users cannot call IAM, nor STS other than GetCallerIdentity; without a session
      // policy they have no permissions at all.
      if (
        action.startsWith('iam:') ||
        (action.startsWith('sts:') && action !== 'sts:GetCallerIdentity') ||
        !sessionDoc
      ) {
        return { identity: [], refuse: 'session' };
      }
      return { ...userPolicies(s.userName), session: sessionDoc };
    }
    case 'assumed-role': {
      const role = account.iam.roles[s.roleName ?? ''];
      if (!role) return { identity: [] };
      const pb = role.permissionsBoundary
        ? managedPolicyDocument(account, role.permissionsBoundary)
        : undefined;
      return {
        identity: holderPolicies(account, role, `role/${role.roleName}`),
        boundary: pb ? [{ name: 'boundary', policy: pb }] : undefined,
        session: sessionDoc,
      };
    }
  }
}

function sessionPolicyOf(
  account: AccountState,
  inline: string | undefined,
  arns: string[] | undefined,
): unknown {
  const statements: unknown[] = [];
  if (inline) {
    const doc = parsePolicy(inline) as { Statement?: unknown };
    statements.push(...(Array.isArray(doc.Statement) ? (doc.Statement as unknown[]) : [doc.Statement]));
  }
  for (const arn of arns ?? []) {
    const doc = managedPolicyDocument(account, arn) as { Statement?: unknown } | undefined;
    if (doc)
      statements.push(...(Array.isArray(doc.Statement) ? (doc.Statement as unknown[]) : [doc.Statement]));
  }
  return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
}

/** The request context keys AWS sets for a caller (IAM UG "AWS global condition context keys"). */
export function requestContext(
  caller: Caller,
  now: Date,
  sourceIp: string,
  region: string,
): Record<string, string | string[]> {
  const ctx: Record<string, string | string[]> = {
    'aws:CurrentTime': isoSeconds(now),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:SourceIp': sourceIp,
    'aws:RequestedRegion': region,
    // The simulator stands in for AWS's HTTPS endpoints (tlsDetails says TLS as well).
    'aws:SecureTransport': 'true',
  };
  if (caller.type === 'Anonymous') return ctx;
  ctx['aws:PrincipalArn'] = caller.principalArn;
  ctx['aws:PrincipalAccount'] = caller.accountId;
  ctx['aws:userid'] = caller.principalId;
  ctx['aws:PrincipalType'] =
    caller.type === 'Root' ? 'Account' : caller.type === 'IAMUser' ? 'User' : caller.type;
  if (caller.type === 'IAMUser' && caller.userName) ctx['aws:username'] = caller.userName;
  if (caller.session) {
    // Only temporary credentials carry these (aws-facts §3.3): a TokenIssueTime deny never
    // touches long-term keys.
    ctx['aws:TokenIssueTime'] = caller.session.issuedAt;
    ctx['aws:MultiFactorAuthPresent'] = caller.session.mfaAuthenticated ? 'true' : 'false';
    if (caller.session.mfaAuthenticated) {
      ctx['aws:MultiFactorAuthAge'] = String(
        Math.max(0, Math.floor((now.getTime() - Date.parse(caller.session.issuedAt)) / 1000)),
      );
    }
    if (caller.session.sourceIdentity) ctx['aws:SourceIdentity'] = caller.session.sourceIdentity;
  }
  return ctx;
}

const wildcardCache = new Map<string, boolean>();

/** Actions such as iam:ListUsers take no resource ARN; the engine wants `*` for them. */
async function wildcardOnly(action: string): Promise<boolean> {
  const cached = wildcardCache.get(action);
  if (cached !== undefined) return cached;
  const [service = '', name = ''] = action.split(':');
  let result = false;
  try {
    result = await isWildcardOnlyAction(service, name);
  } catch {
    // Unknown to the engine's action table: evaluate against the resource as given.
  }
  wildcardCache.set(action, result);
  return result;
}

/** Evaluate one action on one resource for a caller with the IAM policy engine. */
export async function evaluateAccess(
  sim: SimState,
  caller: Caller,
  action: string,
  resource: string,
  options: AuthorizeOptions,
  env: { now: Date; sourceIp: string; region: string },
): Promise<AuthDecision> {
  const target = (await wildcardOnly(action)) ? '*' : resource;
  const policies: PrincipalPolicies =
    caller.type === 'Anonymous' ? { identity: [] } : principalPolicies(sim, caller, action);
  if (policies.refuse) return { allowed: false, denial: 'implicit', deniedBy: policies.refuse };
  const simulation: Simulation = {
    request: {
      principal: caller.type === 'Anonymous' ? anonymousPrincipal : caller.arn,
      action,
      resource: { resource: target, accountId: options.resourceAccount ?? caller.accountId },
      contextVariables: { ...requestContext(caller, env.now, env.sourceIp, env.region), ...options.context },
    },
    identityPolicies: policies.identity,
    serviceControlPolicies:
      caller.type === 'Anonymous' ? [] : serviceControlPoliciesOf(sim, caller.accountId),
    resourceControlPolicies: [],
  };
  if (options.resourcePolicy !== undefined) simulation.resourcePolicy = options.resourcePolicy;
  if (policies.boundary) simulation.permissionBoundaryPolicies = policies.boundary;
  if (policies.session !== undefined) simulation.sessionPolicy = policies.session;
  const key = cacheKey(simulation, options);
  const cached = decisions.get(key);
  if (cached) return cached;
  const decision = await decide(simulation, action, target);
  if (decisions.size >= MAX_CACHED) decisions.clear();
  decisions.set(key, decision);
  return decision;
}

/** Decisions already made, by everything that can change them (see `cacheKey`). */
const decisions = new Map<string, AuthDecision>();
const MAX_CACHED = 20_000;

/**
 * A decision depends on the policies, the request, and only those context keys some policy names
 * (a condition or a `${…}` variable). Leaving the others out (the current time above all) lets a
 * scenario's thousands of similar calls reuse one evaluation, which costs milliseconds.
 */
function cacheKey(simulation: Simulation, options: AuthorizeOptions): string {
  const policyText = JSON.stringify([
    simulation.serviceControlPolicies,
    simulation.identityPolicies,
    simulation.permissionBoundaryPolicies,
    simulation.sessionPolicy,
    simulation.resourcePolicy,
  ]);
  const lower = policyText.toLowerCase();
  const context = Object.entries(simulation.request.contextVariables).filter(
    ([k]) => options.context?.[k] !== undefined || lower.includes(k.toLowerCase()),
  );
  const { principal, action, resource } = simulation.request;
  return JSON.stringify([principal, action, resource, context]) + policyText;
}

async function decide(simulation: Simulation, action: string, target: string): Promise<AuthDecision> {
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    throw new Error(`IAM engine rejected ${action} on ${target}: ${JSON.stringify(result.errors)}`);
  }
  if (result.overallResult === 'Allowed') return { allowed: true };
  const analyses: (RequestAnalysis | undefined)[] =
    result.resultType === 'single' ? [result.result.analysis] : result.results.map((r) => r.analysis);
  const analysis = analyses.find((a) => a && a.result !== 'Allowed');
  return {
    allowed: false,
    denial: result.overallResult === 'ExplicitlyDenied' ? 'explicit' : 'implicit',
    deniedBy: analysis ? deniedBy(analysis) : 'identity',
  };
}

function deniedBy(analysis: RequestAnalysis): AuthDecision['deniedBy'] {
  const reasons = getDenialReasons(analysis);
  const explicit = reasons.find((r) => r.denialType === 'Explicit');
  const first = explicit ?? reasons.find((r) => r.blocking) ?? reasons[0];
  if (!first && analysis.sessionAnalysis && analysis.sessionAnalysis.result !== 'Allowed') return 'session';
  switch (first?.policyType) {
    case 'resource':
      return 'resource';
    case 'pb':
      return 'boundary';
    default:
      return analysis.sessionAnalysis && analysis.sessionAnalysis.result !== 'Allowed' && !explicit
        ? 'session'
        : 'identity';
  }
}

/** AWS's AccessDenied message for a denial (IAM UG "Troubleshoot access denied error messages"). */
export function denialMessage(
  caller: Caller,
  action: string,
  resource: string,
  decision: AuthDecision,
): string {
  const who = caller.type === 'Anonymous' ? 'anonymous' : caller.arn;
  const head = `User: ${who} is not authorized to perform: ${action} on resource: ${resource}`;
  const kind =
    decision.deniedBy === 'resource'
      ? 'resource-based policy'
      : decision.deniedBy === 'boundary'
        ? 'permissions boundary'
        : decision.deniedBy === 'session'
          ? 'session policy'
          : 'identity-based policy';
  if (decision.denial === 'explicit')
    return `${head} with an explicit deny in ${kind.startsWith('i') ? 'an' : 'a'} ${kind}`;
  return `${head} because no ${kind} allows the ${action} action`;
}
