import type { CommandSpec } from '../spec.js';
import { report } from './report.js';
import { auditCommand } from './audit.js';
import { preventCommand } from './prevent.js';
import { scanSecretsCommand } from './scan-secrets.js';
import { caseList, caseShow, caseVerify } from './case.js';
import { containCommand } from './contain.js';
import { demo } from './demo.js';
import { eradicateCommand } from './eradicate.js';
import { collect } from './collect.js';
import { hunt } from './hunt.js';
import { investigateCommand } from './investigate.js';
import { mcpCommand } from './mcp.js';
import { recoverCommand } from './recover.js';
import { respondCommand } from './respond.js';
import { scopeCommand } from './scope.js';
import { serveCommand } from './serve.js';
import { sim } from './sim.js';
import { triageCommand } from './triage.js';
import { watchCommand } from './watch.js';

/** Every command the CLI offers. A command is listed only once it really works. */
export const COMMANDS: CommandSpec[] = [
  caseList,
  caseShow,
  caseVerify,
  hunt,
  collect,
  investigateCommand,
  scopeCommand,
  report,
  triageCommand,
  containCommand,
  eradicateCommand,
  recoverCommand,
  respondCommand,
  watchCommand,
  auditCommand,
  preventCommand,
  scanSecretsCommand,
  demo,
  sim,
  mcpCommand,
  serveCommand,
];
