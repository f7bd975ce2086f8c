import { forMarkdown } from '../report/markdown.js';
import type { CredentialRow } from '../audit/credential-report.js';

/** One long-term access key and what should replace it. */
export interface KeyPlanEntry {
  user: string;
  keyId: string;
  status: string;
  createdAt: string | undefined;
  ageDays: number | undefined;
  lastUsed: string | undefined;
  lastUsedRegion: string | undefined;
  lastUsedService: string | undefined;
  consoleUser: boolean;
  /** What replaces the key, and the step to take. */
  replaceWith: string;
}

/** A key as IAM lists it, with GetAccessKeyLastUsed's answer. */
export interface KeyFacts {
  user: string;
  keyId: string;
  status: string;
  createdAt: string | undefined;
  lastUsed: string | undefined;
  lastUsedRegion: string | undefined;
  lastUsedService: string | undefined;
}

const DAY = 86_400_000;

/** The replacements, first match wins: declared, so the plan's reasoning reads as a table. */
const REPLACEMENTS: {
  when: (k: KeyFacts, console: boolean, now: number) => boolean;
  advice: (k: KeyFacts) => string;
}[] = [
  {
    when: (k) => k.status !== 'Active',
    advice: () => 'already inactive: delete it (`aws iam delete-access-key`)',
  },
  {
    when: (k) => !k.lastUsed,
    advice: () => 'never used: deactivate now, delete after a week without complaints',
  },
  {
    when: (k, _c, now) => Date.parse(k.lastUsed!) < now - 90 * DAY,
    advice: (k) => `unused since ${k.lastUsed!.slice(0, 10)}: deactivate, then delete`,
  },
  {
    when: (_k, console) => console,
    advice: () =>
      'a person: sign in through IAM Identity Center (`aws configure sso`) or assume a role with MFA; then delete the key',
  },
  {
    when: () => true,
    advice: (k) =>
      `a workload calling ${k.lastUsedService ?? 'AWS'} in ${k.lastUsedRegion ?? 'an unknown region'}: give it a role ` +
      '(instance profile, ECS task role, Lambda execution role, or OIDC federation for CI) with the permissions it uses, then deactivate the key',
  },
];

/** The plan to replace long-term keys with roles, one entry per key, oldest first. */
export function keyReplacementPlan(keys: KeyFacts[], rows: CredentialRow[], now: Date): KeyPlanEntry[] {
  const console = new Set(rows.filter((r) => r.passwordEnabled).map((r) => r.user));
  return keys
    .map((k) => {
      const isConsole = console.has(k.user);
      const rule = REPLACEMENTS.find((r) => r.when(k, isConsole, now.getTime()))!;
      return {
        ...k,
        ageDays: k.createdAt ? Math.floor((now.getTime() - Date.parse(k.createdAt)) / DAY) : undefined,
        consoleUser: isConsole,
        replaceWith: rule.advice(k),
      };
    })
    .sort((a, b) => (b.ageDays ?? 0) - (a.ageDays ?? 0));
}

/** The plan as Markdown: a table a person can work through. User names are escaped for Markdown tables. */
export function keyPlanMarkdown(account: string, plan: KeyPlanEntry[]): string {
  const cell = (v: string | number | undefined) => forMarkdown(String(v ?? '—'));
  const lines = [
    `# Replacing long-term access keys in account ${account}`,
    '',
    `${plan.length} access key(s). Work from the top (oldest first). Before deleting a key, deactivate it and wait: whatever breaks names its owner.`,
    '',
    '| user | key | status | age (days) | last used | where | replace with |',
    '|---|---|---|---|---|---|---|',
    ...plan.map(
      (e) =>
        `| ${cell(e.user)} | ${cell(e.keyId)} | ${cell(e.status)} | ${cell(e.ageDays)} | ${cell(e.lastUsed?.slice(0, 10) ?? 'never')} | ${cell(
          e.lastUsedService ? `${e.lastUsedService} in ${e.lastUsedRegion ?? '?'}` : undefined,
        )} | ${cell(e.replaceWith)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
