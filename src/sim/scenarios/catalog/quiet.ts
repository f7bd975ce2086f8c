import type { ScenarioDef } from '../types.js';

/**
 * Quiet: three weeks of normal work and no attacker, for false-positive tests. The developer's
 * key is the one under suspicion (`leakedAccessKeyId`), with no attacker event behind it.
 */
export const quiet: ScenarioDef = {
  name: 'quiet',
  summary: 'baseline only: three weeks of developer and CI work with the same key, no attacker',
  attackStartsBeforeEnd: 0,
  leakedKey: true,
  attackers: [],
  steps: [],
};
