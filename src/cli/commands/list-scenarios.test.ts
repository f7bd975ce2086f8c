import { describe, expect, it } from 'vitest';
import { listScenarios } from '../../sim/scenarios/index.js';
import { main } from '../main.js';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => undefined },
    env: {},
    cwd: process.cwd(),
  });
  return { code, out };
}

describe('--list-scenarios', () => {
  for (const command of ['sim', 'demo'])
    it(`tourniquet ${command} --list-scenarios names every scenario, the campaigns included, with what happens`, async () => {
      const names = listScenarios().map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining(['llmjacking', 'ses-spam', 'sms-pumping', 's3-ransomware', 'rds-exfil']),
      );
      const json = await run([command, '--list-scenarios', '--json']);
      expect(json.code).toBe(0);
      const listed = (JSON.parse(json.out) as { scenarios: { name: string; summary: string }[] }).scenarios;
      expect(listed.map((s) => s.name)).toEqual(names);
      expect(listed.every((s) => s.summary.length > 20)).toBe(true);
      const table = await run([command, '--list-scenarios', '--no-color']);
      expect(table.code).toBe(0);
      for (const name of names) expect(table.out).toContain(name);
    });
});
