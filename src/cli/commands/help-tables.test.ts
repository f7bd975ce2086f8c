import { describe, expect, it } from 'vitest';
import { CONTAINMENT_ACTIONS } from '../../actions/containment.js';
import { REPORT_FORMATS, REPORT_KINDS } from '../../report/index.js';
import { SCENARIOS } from '../../sim/scenarios/index.js';
import { CONTAIN_STEPS } from './contain.js';
import { DEMO_DEFAULT_SCENARIO, DEMO_SCENARIOS } from './demo.js';
import { TOOLS } from '../../mcp/tools.js';
import { COMMANDS } from './index.js';
import { MCP_TOOL_NAMES } from './mcp.js';
import { REPORT_FORMAT_NAMES, REPORT_KIND_NAMES } from './report.js';

/**
 * The specs (src/cli/commands/x.ts) write the names their help lists instead of importing them,
 * so that help loads no implementation (see spec.ts). These tests keep the copies true.
 */
describe('names the help lists', () => {
  it('demo: the scenario catalog, and the richest scenario as the default', () => {
    expect(DEMO_SCENARIOS).toEqual(Object.keys(SCENARIOS));
    expect(DEMO_SCENARIOS).toContain(DEMO_DEFAULT_SCENARIO);
  });

  it('contain: the containment steps', () => {
    expect(CONTAIN_STEPS).toEqual(CONTAINMENT_ACTIONS.map((a) => a.name));
  });

  it('mcp: the tools', () => {
    expect(MCP_TOOL_NAMES).toEqual(TOOLS.map((t) => t.name));
  });

  it('report: the document kinds and formats', () => {
    expect(REPORT_KIND_NAMES).toEqual(REPORT_KINDS);
    expect(REPORT_FORMAT_NAMES).toEqual([...REPORT_FORMATS]);
  });
});

describe('command specs', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    '`%s` loads its run function',
    async (_name, command) => {
      expect(typeof (await command.load())).toBe('function');
    },
  );
});
