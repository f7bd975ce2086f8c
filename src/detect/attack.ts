import type { Category } from './finding.js';

/**
 * The MITRE ATT&CK Enterprise tactics (v17 short names, in the matrix's order). ATT&CK v18 split
 * defense evasion into "stealth" and "defense impairment"; both are read as `defense-evasion` here
 * (Sigma rules tagged with the new names included), so the list stays the one consumers know.
 */
export const TACTICS = [
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
] as const;
export type Tactic = (typeof TACTICS)[number];

/** ATT&CK ids of the tactics (TA00xx), for reports that link to the matrix. */
export const TACTIC_IDS: Record<Tactic, string> = {
  reconnaissance: 'TA0043',
  'resource-development': 'TA0042',
  'initial-access': 'TA0001',
  execution: 'TA0002',
  persistence: 'TA0003',
  'privilege-escalation': 'TA0004',
  'defense-evasion': 'TA0005',
  'credential-access': 'TA0006',
  discovery: 'TA0007',
  'lateral-movement': 'TA0008',
  collection: 'TA0009',
  'command-and-control': 'TA0011',
  exfiltration: 'TA0010',
  impact: 'TA0040',
};

const P = 'persistence';
const PE = 'privilege-escalation';
const DE = 'defense-evasion';
const CA = 'credential-access';
const D = 'discovery';
const IA = 'initial-access';
const X = 'execution';
const I = 'impact';
const C = 'collection';
const EX = 'exfiltration';
const LM = 'lateral-movement';
const RD = 'resource-development';

/**
 * The techniques the rules name, with the tactics ATT&CK lists each under (a rule's tactic must
 * be one of them: `checkRules`). Names as in ATT&CK, for reports.
 */
export const TECHNIQUES: Record<string, { name: string; tactics: readonly Tactic[] }> = {
  T1020: { name: 'Automated Exfiltration', tactics: [EX] },
  T1021: { name: 'Remote Services', tactics: [LM] },
  'T1021.004': { name: 'Remote Services: SSH', tactics: [LM] },
  'T1021.007': { name: 'Remote Services: Cloud Services', tactics: [LM] },
  T1040: { name: 'Network Sniffing', tactics: [CA, D] },
  T1048: { name: 'Exfiltration Over Alternative Protocol', tactics: [EX] },
  'T1059.009': { name: 'Command and Scripting Interpreter: Cloud API', tactics: [X] },
  'T1069.003': { name: 'Permission Groups Discovery: Cloud Groups', tactics: [D] },
  T1070: { name: 'Indicator Removal', tactics: [DE] },
  T1078: { name: 'Valid Accounts', tactics: [DE, P, PE, IA] },
  'T1078.004': { name: 'Valid Accounts: Cloud Accounts', tactics: [DE, P, PE, IA] },
  'T1087.004': { name: 'Account Discovery: Cloud Account', tactics: [D] },
  T1098: { name: 'Account Manipulation', tactics: [P, PE] },
  'T1098.001': { name: 'Account Manipulation: Additional Cloud Credentials', tactics: [P, PE] },
  'T1098.003': { name: 'Account Manipulation: Additional Cloud Roles', tactics: [P, PE] },
  'T1098.004': { name: 'Account Manipulation: SSH Authorized Keys', tactics: [P, PE] },
  T1110: { name: 'Brute Force', tactics: [CA] },
  'T1110.001': { name: 'Brute Force: Password Guessing', tactics: [CA] },
  'T1110.003': { name: 'Brute Force: Password Spraying', tactics: [CA] },
  'T1110.004': { name: 'Brute Force: Credential Stuffing', tactics: [CA] },
  T1113: { name: 'Screen Capture', tactics: [C] },
  T1119: { name: 'Automated Collection', tactics: [C] },
  T1133: { name: 'External Remote Services', tactics: [P, IA] },
  'T1136.003': { name: 'Create Account: Cloud Account', tactics: [P] },
  T1190: { name: 'Exploit Public-Facing Application', tactics: [IA] },
  T1199: { name: 'Trusted Relationship', tactics: [IA] },
  T1201: { name: 'Password Policy Discovery', tactics: [D] },
  'T1204.003': { name: 'User Execution: Malicious Image', tactics: [X] },
  'T1484.002': { name: 'Domain or Tenant Policy Modification: Trust Modification', tactics: [DE, PE] },
  T1485: { name: 'Data Destruction', tactics: [I] },
  'T1485.001': { name: 'Data Destruction: Lifecycle-Triggered Deletion', tactics: [I] },
  T1486: { name: 'Data Encrypted for Impact', tactics: [I] },
  T1489: { name: 'Service Stop', tactics: [I] },
  T1490: { name: 'Inhibit System Recovery', tactics: [I] },
  T1496: { name: 'Resource Hijacking', tactics: [I] },
  'T1496.001': { name: 'Resource Hijacking: Compute Hijacking', tactics: [I] },
  'T1496.003': { name: 'Resource Hijacking: SMS Pumping', tactics: [I] },
  'T1496.004': { name: 'Resource Hijacking: Cloud Service Hijacking', tactics: [I] },
  T1525: { name: 'Implant Internal Image', tactics: [P] },
  T1526: { name: 'Cloud Service Discovery', tactics: [D] },
  T1530: { name: 'Data from Cloud Storage', tactics: [C] },
  T1531: { name: 'Account Access Removal', tactics: [I] },
  T1535: { name: 'Unused/Unsupported Cloud Regions', tactics: [DE] },
  T1537: { name: 'Transfer Data to Cloud Account', tactics: [EX] },
  T1538: { name: 'Cloud Service Dashboard', tactics: [D] },
  T1546: { name: 'Event Triggered Execution', tactics: [PE, P] },
  'T1548.005': {
    name: 'Abuse Elevation Control Mechanism: Temporary Elevated Cloud Access',
    tactics: [PE, DE],
  },
  T1550: { name: 'Use Alternate Authentication Material', tactics: [DE, LM] },
  'T1550.001': { name: 'Use Alternate Authentication Material: Application Access Token', tactics: [DE, LM] },
  T1552: { name: 'Unsecured Credentials', tactics: [CA] },
  'T1552.001': { name: 'Unsecured Credentials: Credentials In Files', tactics: [CA] },
  'T1552.005': { name: 'Unsecured Credentials: Cloud Instance Metadata API', tactics: [CA] },
  'T1555.006': { name: 'Credentials from Password Stores: Cloud Secrets Management Stores', tactics: [CA] },
  T1556: { name: 'Modify Authentication Process', tactics: [CA, DE, P] },
  'T1556.006': { name: 'Modify Authentication Process: Multi-Factor Authentication', tactics: [CA, DE, P] },
  T1562: { name: 'Impair Defenses', tactics: [DE] },
  'T1562.001': { name: 'Impair Defenses: Disable or Modify Tools', tactics: [DE] },
  'T1562.007': { name: 'Impair Defenses: Disable or Modify Cloud Firewall', tactics: [DE] },
  'T1562.008': { name: 'Impair Defenses: Disable or Modify Cloud Logs', tactics: [DE] },
  T1578: { name: 'Modify Cloud Compute Infrastructure', tactics: [DE] },
  'T1578.001': { name: 'Modify Cloud Compute Infrastructure: Create Snapshot', tactics: [DE] },
  'T1578.002': { name: 'Modify Cloud Compute Infrastructure: Create Cloud Instance', tactics: [DE] },
  'T1578.005': {
    name: 'Modify Cloud Compute Infrastructure: Modify Cloud Compute Configurations',
    tactics: [DE],
  },
  T1580: { name: 'Cloud Infrastructure Discovery', tactics: [D] },
  'T1583.006': { name: 'Acquire Infrastructure: Web Services', tactics: [RD] },
  'T1585.003': { name: 'Establish Accounts: Cloud Accounts', tactics: [RD] },
  T1608: { name: 'Stage Capabilities', tactics: [RD] },
  T1610: { name: 'Deploy Container', tactics: [DE, X] },
  T1613: { name: 'Container and Resource Discovery', tactics: [D] },
  T1619: { name: 'Cloud Storage Object Discovery', tactics: [D] },
  T1621: { name: 'Multi-Factor Authentication Request Generation', tactics: [CA] },
  T1648: { name: 'Serverless Execution', tactics: [X] },
  T1651: { name: 'Cloud Administration Command', tactics: [X] },
  T1654: { name: 'Log Enumeration', tactics: [D] },
  T1657: { name: 'Financial Theft', tactics: [I] },
  T1666: { name: 'Modify Cloud Resource Hierarchy', tactics: [DE] },
};

/** The tactic each category stands for when a technique alone does not decide. */
const CATEGORY_TACTIC: Record<Category, Tactic> = {
  recon: 'discovery',
  'initial-access': 'initial-access',
  'credential-access': 'credential-access',
  'privilege-escalation': 'privilege-escalation',
  persistence: 'persistence',
  'resource-creation': 'defense-evasion',
  'crypto-mining': 'impact',
  'data-access': 'collection',
  exfiltration: 'exfiltration',
  'defense-evasion': 'defense-evasion',
  'lateral-movement': 'lateral-movement',
  execution: 'execution',
  impact: 'impact',
};

/**
 * A tactic for a finding that names none (saved before tactics were recorded, or a Sigma rule
 * without a tactic tag): the technique's tactic matching the category, else its first, else the
 * category's own.
 */
export function tacticFor(technique: string, category: Category): Tactic {
  const tactics = TECHNIQUES[technique]?.tactics ?? [];
  const preferred = CATEGORY_TACTIC[category];
  return tactics.includes(preferred) ? preferred : (tactics[0] ?? preferred);
}

/** ATT&CK's display names of the tactics, for report headings. */
const TACTIC_NAMES: Record<Tactic, string> = Object.fromEntries(
  TACTICS.map((t) => [
    t,
    t
      .split('-')
      .map((w, i) => (i === 0 || !['and', 'of'].includes(w) ? w[0]!.toUpperCase() + w.slice(1) : w))
      .join(' '),
  ]),
) as Record<Tactic, string>;

/** Findings grouped by ATT&CK tactic, in the matrix's order (reconnaissance first, impact last). */
export function groupByTactic<T extends { technique: string; category: Category; tactic?: Tactic }>(
  findings: readonly T[],
): { tactic: Tactic; id: string; name: string; findings: T[] }[] {
  const groups = new Map<Tactic, T[]>();
  for (const f of findings) {
    const tactic = f.tactic ?? tacticFor(f.technique, f.category);
    // Appended in place (a copy per finding was quadratic: a 1M-event case has ~30,000 findings).
    const group = groups.get(tactic);
    if (group) group.push(f);
    else groups.set(tactic, [f]);
  }
  return TACTICS.filter((t) => groups.has(t)).map((t) => ({
    tactic: t,
    id: TACTIC_IDS[t],
    name: TACTIC_NAMES[t],
    findings: groups.get(t)!,
  }));
}
