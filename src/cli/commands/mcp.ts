import { defineCommand, type OptionTable, type RunInput } from '../spec.js';

const mcpOptions = {} satisfies OptionTable;

/** The tools the help names (src/mcp/tools.ts; help-tables.test.ts keeps this list true). */
export const MCP_TOOL_NAMES = [
  'list_cases',
  'case_status',
  'triage',
  'hunt',
  'events',
  'findings',
  'timeline',
  'lineage',
  'scope_items',
  'blast_radius',
  'eradication_plan',
  'report',
];

/** What `runMcp` receives. */
export type McpInput = RunInput<typeof mcpOptions>;

export const mcpCommand = defineCommand({
  name: 'mcp',
  summary: 'serve the cases to an assistant: a read-only MCP server on stdio',
  description:
    'Speaks the Model Context Protocol on standard input and output (logs on standard error) until\n' +
    `the client closes it. Tools: ${MCP_TOOL_NAMES.join(', ')}.\n` +
    'None changes a case or AWS: cases are only read, and AWS calls other than reads are refused\n' +
    'before they are sent. Cases are looked for under ./cases (or $TOURNIQUET_CASES).',
  args: [],
  options: mcpOptions,
  examples: [
    'tourniquet mcp',
    '{"mcpServers": {"tourniquet": {"command": "tourniquet", "args": ["mcp", "--profile", "security"]}}}',
  ],
  load: async () => (await import('./mcp-run.js')).runMcp,
});
