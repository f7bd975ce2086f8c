import { AccountPools } from '../actions/accounts.js';
import { undoStep, type ActionRegistry } from '../actions/engine.js';
import type { PlannedStep, ApplyDetail } from '../actions/action.js';
import { callerIdentity } from '../aws/identity.js';
import type { CaseContext } from '../context.js';
import type { Outcome } from './spec.js';

/**
 * `--undo STEP` of a command whose steps run through the action engine: the step restored in
 * the account it acted in (other accounts through `accountRole`), shown as one result.
 */
export async function runUndo(
  ctx: CaseContext,
  registry: ActionRegistry,
  ref: string,
  accountRole?: string,
): Promise<{ outcome: Outcome; undone: { step: PlannedStep; detail: ApplyDetail } }> {
  const me = await callerIdentity(ctx.aws);
  const pools = new AccountPools(ctx.aws, me.account, ctx.clock, accountRole, `tourniquet-${ctx.case.id}`);
  try {
    const done = await undoStep(
      { clock: ctx.clock, log: ctx.log, poolFor: (a) => pools.poolFor(a) },
      ctx.case,
      registry,
      ref,
    );
    const outcome: Outcome = {
      json: { dir: ctx.case.dir, undone: done },
      blocks: [
        {
          kind: 'fields',
          title: 'Undone',
          fields: [
            ['Step', done.step.id],
            ['Result', JSON.stringify(done.detail)],
          ],
        },
      ],
    };
    return { outcome, undone: done };
  } finally {
    await pools.destroy();
  }
}
