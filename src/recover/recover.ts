import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import type { ActionEnv } from '../actions/action.js';
import { AccountPools } from '../actions/accounts.js';
import { containmentRegistry } from '../actions/containment.js';
import { deleteAccessKey } from '../actions/eradicate/iam-users.js';
import {
  applyPlan,
  makePlan,
  registryOf,
  undoStep,
  type ApplyResult,
  type StepRequest,
  type StepResult,
} from '../actions/engine.js';
import { iamOf, readOrAbsent } from '../actions/iam-read.js';
import { ActionHistory, type PlanRecord } from '../actions/journal-view.js';
import { callerIdentity } from '../aws/identity.js';
import type { CaseContext } from '../context.js';
import { UserError } from '../errors.js';
import { buildFacts, isUnknown } from '../report/index.js';
import { readScope } from '../scope/scope.js';
import type { ScopeDocument } from '../scope/types.js';
import { resolveSubject } from '../triage/resolve.js';
import { resetConsolePassword, rotateAccessKey, rotateSecret } from './actions.js';

export const RECOVERY_ACTIONS = [rotateAccessKey, deleteAccessKey, resetConsolePassword, rotateSecret];
export const recoveryRegistry = registryOf(RECOVERY_ACTIONS);

const PURPOSE = 'recover';

/** A secret or SecureString parameter the compromised principal could read. */
export interface SecretToRotate {
  kind: 'secret' | 'parameter';
  region: string;
  id: string;
  /** CloudTrail shows the attacker read it (GetSecretValue / GetParameter). */
  read: boolean;
}

export interface RecoverOptions {
  /** Change things (else plan only, unless `confirm` says yes). */
  apply: boolean;
  confirm?: (question: string) => Promise<boolean>;
  /** Delete the compromised key once the new one exists (the owner has confirmed they moved). */
  deleteOld: boolean;
  /** Rotate the credential and password (respond leaves it to the person unless --rotate). */
  rotate: boolean;
  /**
   * Secrets the principal could read (default: from the blast radius of the case's scope); merged
   * with those the events show read.
   */
  secrets?: SecretToRotate[];
  /** Where each new secret goes: never the journal (without it, no secret is made). */
  reveal?: (label: string, secret: string) => void;
  onPlan?: (plan: PlanRecord) => void;
  onStep?: (result: StepResult) => void;
}

export interface RecoverResult {
  state: 'planned' | 'recovered' | 'not-verified' | 'nothing-to-do';
  plan?: PlanRecord;
  apply?: ApplyResult;
  secretsToRotate: SecretToRotate[];
  /** Containment steps lifted because the principal is clean again. */
  lifted: string[];
  manual: string[];
  notChecked: string[];
}

/** Secrets and parameters the compromise read, from the case's attributed events. */
async function secretsRead(dir: string, now: Date): Promise<SecretToRotate[]> {
  const facts = await buildFacts(dir, { asOf: now });
  if (isUnknown(facts.dataAccessed)) return [];
  const out: SecretToRotate[] = [];
  for (const d of facts.dataAccessed) {
    const kind =
      d.what === 'Secrets Manager secret' ? 'secret' : d.what === 'SSM parameter' ? 'parameter' : null;
    if (!kind || !d.succeeded || out.some((s) => s.id === d.id && s.region === d.region)) continue;
    out.push({ kind, region: d.region, id: d.id, read: true });
  }
  return out;
}

/**
 * Recovery (issue 13 §2): a new access key and console password for the owner of the compromised
 * credential (shown once through `reveal`, never stored), the old key deleted only with
 * `deleteOld`, the secrets it could read rotated where rotation is configured (the rest listed),
 * and — once every step is verified — the containment deny-all on the owner lifted, since the
 * principal stays and is clean again.
 */
export async function recover(ctx: CaseContext, options: RecoverOptions): Promise<RecoverResult> {
  const info = ctx.case.info;
  if (!info.subject)
    throw new UserError('NO_SUBJECT', `Case ${info.id} has no subject.`, {
      hint: 'Start the case with `tourniquet triage SUBJECT`.',
    });
  const identity = await callerIdentity(ctx.aws);
  const pools = new AccountPools(ctx.aws, identity.account, ctx.clock, undefined, `tourniquet-${info.id}`);
  const env: ActionEnv = {
    clock: ctx.clock,
    log: ctx.log,
    poolFor: (a) => pools.poolFor(a),
    reveal: options.reveal,
  };
  try {
    const result: RecoverResult = {
      state: 'planned',
      secretsToRotate: [],
      lifted: [],
      manual: [],
      notChecked: [],
    };
    const history = ActionHistory.of(ctx.case);
    let plan = options.apply ? history.interrupted(PURPOSE) : undefined;
    if (plan)
      ctx.log.info(`Resuming the interrupted ${plan.planId}: steps already applied are not repeated.`);
    const resolved = await resolveSubject(ctx.aws, info.subject, identity.account, (a) => pools.poolFor(a));
    result.notChecked.push(...resolved.notChecked);
    const account = resolved.account ?? identity.account;
    const user = resolved.user;
    const could = options.secrets ?? secretsCouldRead(readScope(ctx.case));
    const secrets = mergeSecrets(could, await secretsRead(ctx.case.dir, ctx.clock.now()));
    result.secretsToRotate = secrets;
    // Nothing to apply and no rotation asked: the lists only, no plan written.
    if (!plan && !options.rotate && !options.apply) {
      for (const s of secrets)
        result.manual.push(
          `Rotate the ${s.kind} ${s.id} (${s.region})${s.read ? ', which the attacker read' : ''}.`,
        );
      if (user)
        result.manual.push(
          `Rotate the credential of ${user.name}: tourniquet recover --apply (a new key, shown once).`,
        );
      result.state = 'nothing-to-do';
      return result;
    }
    if (!plan) {
      const requests: StepRequest[] = [];
      if (!user)
        result.manual.push(
          resolved.credential === 'root'
            ? 'Root credentials: change the root password, delete root access keys and re-register MFA by hand.'
            : `No long-term credential to rotate for a ${resolved.credential} subject: its sessions are revoked by containment.`,
        );
      else if (options.rotate) {
        const oldKey = resolved.accessKeyId;
        const keys = await readOrAbsent(
          async () =>
            (await iamOf(await env.poolFor(account)).send(new ListAccessKeysCommand({ UserName: user.name })))
              .AccessKeyMetadata ?? [],
        );
        const full = (keys?.length ?? 0) >= 2;
        const rotate = {
          action: 'rotate-access-key',
          account,
          params: { userName: user.name, accessKeyId: oldKey ?? '', deleteOld: String(options.deleteOld) },
        };
        const remove = oldKey
          ? { action: 'delete-access-key', account, params: { userName: user.name, accessKeyId: oldKey } }
          : undefined;
        // IAM allows two keys: with no room, the old key goes first; else the new one comes first.
        if (options.deleteOld && remove && full) requests.push(remove, rotate);
        else requests.push(rotate, ...(options.deleteOld && remove ? [remove] : []));
        if (!options.deleteOld && oldKey)
          result.manual.push(
            `Delete the old key ${oldKey} once its users have moved to the new one: tourniquet recover --apply --delete-old.`,
          );
        const deletedByContainment = history
          .plans('contain')
          .some((p) =>
            p.steps.some(
              (s) =>
                s.action === 'delete-login-profile' &&
                s.params.userName === user.name &&
                history.lastApply(s.id),
            ),
          );
        requests.push({
          action: 'reset-console-password',
          account,
          params: { userName: user.name, create: String(deletedByContainment) },
        });
      } else
        result.manual.push(
          `Rotate the credential of ${user.name}: tourniquet recover --apply (a new key, shown once).`,
        );
      for (const s of secrets) {
        if (s.kind === 'secret')
          requests.push({
            action: 'rotate-secret',
            account,
            params: { region: s.region, secretId: s.id, read: String(s.read), since: info.awareness ?? '' },
          });
        else
          result.manual.push(
            `Change the SecureString parameter ${s.id} (${s.region})${s.read ? ', which the attacker read,' : ''} and where it is used.`,
          );
      }
      if (requests.length === 0) {
        result.state = 'nothing-to-do';
        return result;
      }
      if (!info.phases.recover?.started) ctx.case.markPhase('recover', 'started');
      plan = await makePlan(env, ctx.case, recoveryRegistry, PURPOSE, requests);
    }
    result.plan = plan;
    options.onPlan?.(plan);
    const changes = plan.steps.filter((s) => !s.noop).length;
    const go =
      options.apply ||
      (changes > 0 &&
        options.confirm !== undefined &&
        (await options.confirm(`Apply ${changes} change(s) now?`)));
    if (!go) return result;
    result.apply = await applyPlan(env, ctx.case, recoveryRegistry, plan, options.onStep);
    for (const r of result.apply.results.filter((x) => x.outcome === 'refused'))
      result.manual.push(`${r.step.target}: ${r.step.refused ?? ''}`);
    result.state = result.apply.verified ? 'recovered' : 'not-verified';
    const rotated = plan.steps.some((s) => s.action === 'rotate-access-key');
    if (result.apply.verified && rotated && user) result.lifted = await liftContainment(ctx, env, user.name);
    if (result.apply.verified) ctx.case.markPhase('recover', 'completed');
    return result;
  } finally {
    await pools.destroy();
  }
}

function mergeSecrets(could: SecretToRotate[], read: SecretToRotate[]): SecretToRotate[] {
  const out = could.map((s) => ({
    ...s,
    read: s.read || read.some((r) => sameSecret(r, s)),
  }));
  for (const r of read) if (!out.some((s) => sameSecret(s, r))) out.push(r);
  return out;
}

/**
 * The same secret or parameter: by name or ARN, as the attacker's call may have named it either
 * way (a secret's ARN ends in `:secret:NAME-` and six random characters; a parameter's in
 * `:parameter/NAME` without the leading slash).
 */
function sameSecret(a: SecretToRotate, b: SecretToRotate): boolean {
  if (a.kind !== b.kind || a.region !== b.region) return false;
  const name = (id: string): string =>
    id.startsWith('arn:')
      ? a.kind === 'secret'
        ? id.replace(/^.*:secret:/, '').replace(/-[A-Za-z0-9]{6}$/, '')
        : id.replace(/^.*:parameter\/?/, '')
      : a.kind === 'parameter'
        ? id.replace(/^\//, '')
        : id;
  return a.id === b.id || name(a.id) === name(b.id);
}

/**
 * Secrets Manager secrets and SecureString parameters that the compromised credential, or a role
 * it can assume, could read (GetSecretValue / GetParameter allowed), from the blast radius of the
 * case's scope; `read` when its events show it did. None before `tourniquet scope` has run.
 */
export function secretsCouldRead(scope: ScopeDocument | undefined): SecretToRotate[] {
  const radius = scope?.blastRadius;
  if (!radius) return [];
  const secure = new Set(
    scope.inventory
      .filter((i) => i.type === 'AWS::SSM::Parameter' && i.data.type === 'SecureString')
      .map((i) => i.arn),
  );
  const out: SecretToRotate[] = [];
  for (const d of radius.data) {
    const kind =
      d.type === 'AWS::SecretsManager::Secret'
        ? 'secret'
        : d.type === 'AWS::SSM::Parameter' && secure.has(d.arn)
          ? 'parameter'
          : null;
    const read = d.access.find((a) => a.level === 'read');
    if (!kind || !read || read.via.length === 0) continue;
    out.push({ kind, region: d.region, id: d.name, read: read.did.length > 0 });
  }
  return out;
}

/**
 * The owner is clean again (new key, old one inactive or gone): lift the deny-all containment put
 * on it. The revocation of older sessions stays: it only denies what was issued before it.
 */
async function liftContainment(ctx: CaseContext, env: ActionEnv, userName: string): Promise<string[]> {
  const history = ActionHistory.of(ctx.case);
  const lifted: string[] = [];
  for (const plan of history.plans('contain'))
    for (const step of plan.steps) {
      if (step.action !== 'user-deny-all' || step.params.name !== userName) continue;
      const last = history.lastApply(step.id);
      if (!last || last.planId !== plan.planId || lifted.includes(step.id)) continue;
      await undoStep(env, ctx.case, containmentRegistry, step.id);
      lifted.push(step.id);
    }
  return lifted;
}
