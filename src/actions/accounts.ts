import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ClientPool } from '../aws/pool.js';
import { callerIdentity } from '../aws/identity.js';
import type { Clock } from '../clock.js';
import type { CaseContext } from '../context.js';
import { UserError } from '../errors.js';

/** The responder's pools: its own account, and other accounts reached through a named role. */
export class AccountPools {
  private readonly others = new Map<string, Promise<ClientPool>>();

  constructor(
    readonly home: ClientPool,
    readonly homeAccount: string,
    private readonly clock: Clock,
    /** Role name to assume in other accounts (e.g. OrganizationAccountAccessRole). */
    private readonly accountRole: string | undefined,
    private readonly sessionName = 'tourniquet-responder',
  ) {}

  /**
   * A case's pools: the responder's account (as the case recorded it, else asked of STS) and
   * `accountRole` in the others, sessions named after the case.
   */
  static async forCase(ctx: CaseContext, accountRole: string | undefined): Promise<AccountPools> {
    const home = ctx.case.info.responder?.account ?? (await callerIdentity(ctx.aws)).account;
    return new AccountPools(ctx.aws, home, ctx.clock, accountRole, `tourniquet-${ctx.case.info.id}`);
  }

  /** The pool acting in `account`; another account needs `--account-role`. */
  poolFor(account: string): Promise<ClientPool> {
    if (account === this.homeAccount) return Promise.resolve(this.home);
    let pending = this.others.get(account);
    if (!pending) {
      pending = this.assume(account);
      this.others.set(account, pending);
    }
    return pending;
  }

  private async assume(account: string): Promise<ClientPool> {
    if (!this.accountRole) {
      throw new UserError('NO_ACCOUNT_ACCESS', `No access to account ${account}.`, {
        hint: 'Pass --account-role NAME (a role the responder may assume in that account), or act there by hand.',
      });
    }
    const roleArn = `arn:aws:iam::${account}:role/${this.accountRole}`;
    const out = await this.home
      .get(STSClient, 'us-east-1')
      .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: this.sessionName.slice(0, 64) }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    const pool = await ClientPool.create(
      {
        ...this.home.settings,
        profile: undefined,
        region: this.home.defaultRegion,
        credentials: {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
        },
      },
      this.clock,
    );
    pool.caseId = this.home.caseId;
    return pool;
  }

  /** Close every pool opened for other accounts. */
  async destroy(): Promise<void> {
    for (const pending of this.others.values()) {
      try {
        (await pending).destroy();
      } catch {
        // A pool that never opened has nothing to close.
      }
    }
    this.others.clear();
  }
}
