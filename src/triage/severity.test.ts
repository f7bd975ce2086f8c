import { describe, expect, it } from 'vitest';
import type { TriageReport } from './report.js';
import { assessSeverity } from './severity.js';

function facts(patch: Partial<Omit<TriageReport, 'severity'>>): Omit<TriageReport, 'severity'> {
  return {
    caseId: 'c',
    checkedAt: '2026-11-28T12:00:00Z',
    resolved: {
      subject: { input: 'AKIAX', kind: 'access-key' },
      account: '1',
      ourAccount: '1',
      credential: 'access-key',
      notChecked: [],
    },
    foreignAccount: null,
    key: { accessKeyId: 'AKIAX', status: 'Inactive', created: null, lastUsed: null },
    otherKeys: [],
    consolePassword: null,
    mfaDevices: null,
    groups: null,
    policies: null,
    admin: false,
    escalation: [],
    quarantine: null,
    role: null,
    rootAccount: null,
    activity: null,
    notChecked: [],
    ...patch,
  };
}

describe('severity', () => {
  it.each([
    ['admin rights', facts({ admin: true }), 'P1'],
    ['root', facts({ resolved: { ...facts({}).resolved, credential: 'root' } }), 'P1'],
    ['IAM escalation rights', facts({ escalation: ['iam:CreateAccessKey'] }), 'P2'],
    [
      'active and used yesterday',
      facts({
        key: {
          accessKeyId: 'AKIAX',
          status: 'Active',
          created: null,
          lastUsed: { date: '2026-11-27T12:00:00Z', service: 's3', region: 'us-east-1' },
        },
      }),
      'P2',
    ],
    [
      'active, unused',
      facts({ key: { accessKeyId: 'AKIAX', status: 'Active', created: null, lastUsed: null } }),
      'P3',
    ],
    ['inactive, harmless', facts({}), 'P4'],
  ])('%s → %s', (_name, input, level) => {
    expect(assessSeverity(input).level).toBe(level);
  });

  it('says when checks were missing', () => {
    expect(assessSeverity(facts({ notChecked: ['x: AccessDenied'] })).reasons.at(-1)).toMatch(
      /could not be made/,
    );
  });
});
