import type { ScenarioDef } from '../types.js';
import { backdoors } from './backdoors.js';
import { consoleTakeover } from './console-takeover.js';
import { cryptomining } from './cryptomining.js';
import { defenseEvasion } from './defense-evasion.js';
import { exfiltration } from './exfiltration.js';
import { hostileStrings } from './hostile-strings.js';
import { llmjacking } from './llmjacking.js';
import { persistence } from './persistence.js';
import { quiet } from './quiet.js';
import { rdsExfil } from './rds-exfil.js';
import { roleChain } from './role-chain.js';
import { s3Ransomware } from './s3-ransomware.js';
import { sesSpam } from './ses-spam.js';
import { smsPumping } from './sms-pumping.js';

/** Every scenario by name. */
export const SCENARIOS: Record<string, ScenarioDef> = Object.fromEntries(
  [
    cryptomining,
    persistence,
    exfiltration,
    defenseEvasion,
    roleChain,
    consoleTakeover,
    hostileStrings,
    backdoors,
    llmjacking,
    sesSpam,
    smsPumping,
    s3Ransomware,
    rdsExfil,
    quiet,
  ].map((s) => [s.name, s]),
);
