import { eradicate, type EradicateResult } from '../eradicate/eradicate.js';
import { leftByWhy } from '../eradicate/sources.js';
import { recover, type RecoverResult } from '../recover/recover.js';
import type { PhaseDef, PhaseState, Run } from './phases.js';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Eradication's result in one paragraph. */
export function eradicateParagraph(r: EradicateResult): string {
  const steps = r.plan?.steps.filter((s) => !s.noop && s.refused === undefined) ?? [];
  const by = leftByWhy(r.left);
  const parts = [
    by.covered.length ? `${by.covered.length} removed with another item` : '',
    by.excluded.length ? `${by.excluded.length} of the attacker's excluded (--exclude)` : '',
    by.notAttacker.length ? `${by.notAttacker.length} pre-existing or unknown (--include to act)` : '',
    by.review.length ? `${by.review.length} to review (changed, or scope and the calls disagree)` : '',
  ].filter(Boolean);
  const left = r.left.length ? ` ${plural(r.left.length, 'item')} not acted on: ${parts.join(', ')}.` : '';
  const manual =
    (r.manual.length ? ` ${plural(r.manual.length, 'item')} to remove by hand.` : '') +
    (r.byContainment.length ? ` ${plural(r.byContainment.length, 'session')} refused by containment.` : '');
  switch (r.state) {
    case 'nothing-to-do':
      return `Nothing the attacker left behind was found in ${r.source}.${manual}`;
    case 'planned':
      return `Planned ${plural(steps.length, 'change')} from ${r.source} (${r.plan?.planId ?? ''}); nothing changed: run \`tourniquet eradicate --apply\`.${left}${manual}`;
    case 'eradicated':
      if (by.excluded.length)
        return `Applied ${plural(steps.length, 'change')} from ${r.source}, evidence kept first, every step read back; NOT eradicated: the attacker's ${by.excluded.map((l) => l.item.scopeId ?? l.item.id).join(', ')} left (--exclude).${left}${manual}`;
      return `Removed or restored ${plural(steps.length, 'item')} from ${r.source}, evidence kept first, every step read back.${left}${manual}`;
    default:
      return `Eradication is incomplete: some step failed or did not read back (see \`tourniquet eradicate --verify\`).${manual}`;
  }
}

/** Recovery's result in one paragraph (never a secret). */
export function recoverParagraph(r: RecoverResult, rotate: boolean): string {
  const secrets = r.secretsToRotate.length
    ? ` ${plural(r.secretsToRotate.length, 'secret')} the attacker read or could read.`
    : '';
  if (!rotate)
    return `Rotation left to you: \`tourniquet recover --apply\` gives the owner new credentials.${secrets}`;
  if (r.state === 'recovered')
    return `New credentials issued to the owner (shown once), secrets with rotation rotated, containment lifted on ${plural(r.lifted.length, 'step')}.${secrets}`;
  if (r.state === 'planned')
    return `Recovery planned, not applied: \`tourniquet recover --apply\`.${secrets}`;
  if (r.state === 'nothing-to-do') return `Nothing to rotate.${secrets}`;
  return 'Recovery is incomplete: some step failed or did not read back.';
}

/** The eradication and recovery phases of `respond`, after the investigation. */
export const ERADICATE_PHASES: PhaseDef[] = [
  {
    phase: 'eradicate',
    title: 'Eradication',
    async run(run: Run) {
      const r = await eradicate(run.ctx, {
        mode: run.yes ? 'apply' : 'plan',
        ...(run.yes || !run.confirm ? {} : { confirm: run.confirm }),
        ...(run.onPlan ? { onPlan: run.onPlan } : {}),
        accountRole: run.accountRole,
      });
      run.eradicate = r;
      run.manual.push(...r.manual);
      const state: PhaseState =
        r.state === 'eradicated' || r.state === 'nothing-to-do'
          ? r.manual.length || r.refused.length
            ? 'partial'
            : 'done'
          : r.state === 'planned'
            ? 'declined'
            : 'failed';
      if (r.state === 'nothing-to-do' && !run.ctx.case.info.phases.eradicate?.completed)
        run.ctx.case.markPhase('eradicate', 'completed');
      return { state, summary: eradicateParagraph(r) };
    },
  },
  {
    phase: 'recover',
    title: 'Recovery',
    async run(run: Run) {
      const r = await recover(run.ctx, {
        apply: run.rotate && run.yes,
        ...(run.rotate && !run.yes && run.confirm ? { confirm: run.confirm } : {}),
        rotate: run.rotate,
        deleteOld: false,
        ...(run.reveal ? { reveal: run.reveal } : {}),
        ...(run.onPlan ? { onPlan: run.onPlan } : {}),
      });
      run.recover = r;
      run.manual.push(...r.manual);
      // Left to the person: the phase is over for the playbook; `tourniquet recover --apply` does it.
      if (!run.rotate) {
        run.ctx.case.record('recover.left', { manual: r.manual, secretsToRotate: r.secretsToRotate });
        run.ctx.case.markPhase('recover', 'completed');
      }
      // Without --rotate the credential is the person's to rotate: the summary and the to-do say so.
      const state: PhaseState = !run.rotate
        ? 'done'
        : r.state === 'recovered' || r.state === 'nothing-to-do'
          ? 'done'
          : r.state === 'planned'
            ? 'declined'
            : 'failed';
      return { state, summary: recoverParagraph(r, run.rotate) };
    },
  },
];
