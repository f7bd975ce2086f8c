import { AccountPools } from '../actions/accounts.js';
import type { ClientPool } from '../aws/pool.js';
import type { Clock } from '../clock.js';
import type { LineageNode } from '../detect/lineage.js';
import { messageOf } from '../errors.js';
import { readAccountSnapshot } from '../iam/load.js';
import { forEachBounded } from '../trail/workers.js';
import type { AccountSnapshot } from '../iam/snapshot.js';
import type { InventoryCoverage, InventoryItem } from '../inventory/types.js';

/** The IAM of the other accounts the compromise's sessions act in, and how completely it was read. */
export interface OtherAccounts {
  snapshots: AccountSnapshot[];
  /** What `read` found in the accounts entered (their resources, `account` set to theirs). */
  items: InventoryItem[];
  coverage: InventoryCoverage[];
}

const LISTER = 'iam.other-account';

/** The accounts other than `home` that the lineage's sessions act in, sorted. */
export function accountsReached(roots: readonly LineageNode[], home: string): string[] {
  const found = new Set<string>();
  const walk = (nodes: readonly LineageNode[]): void => {
    for (const n of nodes) {
      if (n.account && n.account !== home) found.add(n.account);
      walk(n.children);
    }
  };
  walk(roots);
  return [...found].sort();
}

/** Other accounts read at once: each is a role session and a few dozen calls. */
const ACCOUNTS_AT_ONCE = 4;

/**
 * Read the IAM (authorisation details and the resources carrying policies, in the responder's
 * region) of each other account the sessions reached, through `accountRole`, so the blast radius
 * knows what a session there can do, and (`read`) the resources there, for the sweep and
 * eradication. An account the role cannot enter, or every one without a
 * role, is a "not checked" coverage line with the reason and the way out. A few accounts are read at
 * once (`ACCOUNTS_AT_ONCE`).
 */
export async function readOtherAccounts(o: {
  pool: ClientPool;
  home: string;
  accounts: string[];
  accountRole: string | undefined;
  clock: Clock;
  sessionName: string;
  /** Read the account's resources too (scope's inventory, through the role's pool). */
  read?: (
    account: string,
    pool: ClientPool,
  ) => Promise<{ items: InventoryItem[]; coverage: InventoryCoverage[] }>;
}): Promise<OtherAccounts> {
  const out: OtherAccounts = { snapshots: [], items: [], coverage: [] };
  if (o.accounts.length === 0) return out;
  const pools = new AccountPools(o.pool, o.home, o.clock, o.accountRole, o.sessionName);
  try {
    await forEachBounded(o.accounts, ACCOUNTS_AT_ONCE, async (account) => {
      const line = (
        status: InventoryCoverage['status'],
        items: number,
        reason?: string,
      ): InventoryCoverage => ({
        service: 'iam',
        lister: `${LISTER} ${account}`,
        region: 'global',
        status,
        items,
        ...(reason ? { reason } : {}),
      });
      if (!o.accountRole) {
        out.coverage.push(
          line(
            'not-checked',
            0,
            `sessions of the compromise act in account ${account}; its IAM was not read: name a role there that trusts the responder with --account-role NAME`,
          ),
        );
        return;
      }
      try {
        const other = await pools.poolFor(account);
        // The responder's own account reads the SCPs when it manages the organisation: a member may not.
        const { snapshot, coverage } = await readAccountSnapshot(other, account, {
          organizationReader: o.pool,
        });
        out.snapshots.push(snapshot);
        const gaps = coverage.filter((c) => c.status !== 'complete');
        out.coverage.push(
          gaps.length
            ? line(
                'not-checked',
                snapshot.authorization.RoleDetailList?.length ?? 0,
                gaps.map((g) => `${g.what}: ${g.reason ?? ''}`).join('; '),
              )
            : line('complete', snapshot.authorization.RoleDetailList?.length ?? 0),
        );
        if (o.read) {
          try {
            const found = await o.read(account, other);
            out.items.push(...found.items);
            // Named after the account: a lister's line is per account as well as per region.
            out.coverage.push(...found.coverage.map((c) => ({ ...c, lister: `${c.lister} ${account}` })));
          } catch (error) {
            out.coverage.push({
              service: '*',
              lister: `inventory ${account}`,
              region: 'global',
              status: 'failed',
              items: 0,
              reason: `the resources of account ${account} were not read: ${messageOf(error)}`,
            });
          }
        }
      } catch (error) {
        out.coverage.push(
          line(
            'not-checked',
            0,
            `account ${account} could not be entered through ${o.accountRole} (${messageOf(error)}): name a role there that trusts the responder with --account-role NAME`,
          ),
        );
      }
    });
  } finally {
    await pools.destroy();
  }
  // Accounts were read a few at once: report them in a stable order.
  out.snapshots.sort((a, b) => a.accountId.localeCompare(b.accountId));
  out.items.sort((a, b) => a.account.localeCompare(b.account));
  out.coverage.sort((a, b) => a.lister.localeCompare(b.lister));
  return out;
}
