import { z } from 'zod';
import type { Origin } from '../inventory/types.js';
import { PERSISTENCE_KINDS } from '../scope/types.js';
import { caseDir } from './context.js';
import { blastRadius, eradicationPlan, scopeItems } from './scope-reads.js';
import { anyObject, caseRef, defineTool, UNTRUSTED, type ToolDef } from './tool-def.js';

const ORIGINS = ['attacker', 'pre-existing', 'unknown'] as const satisfies readonly Origin[];

/** The tools over what `tourniquet scope` wrote into a case (scope.json) and what eradication planned. */
export const SCOPE_TOOLS: ToolDef[] = [
  defineTool({
    name: 'scope_items',
    title: 'Scope: ways back in and resources',
    description:
      'What `tourniquet scope` found in the account (the case’s scope.json): the ways back in (access keys, users, role trusts, policies, shares, bucket policies, Lambda URLs…) with who made them (attacker, pre-existing, unknown), the events that did, risk and remediation; on request the inventory of resources; and what could not be read. Filter by attribution, kind or region.' +
      UNTRUSTED,
    input: {
      case: caseRef,
      attribution: z.enum(ORIGINS).optional().describe('only items attributed so'),
      kind: z
        .string()
        .optional()
        .describe(
          `a persistence kind (${PERSISTENCE_KINDS.slice(0, 6).join(', ')}…) or, with inventory, a resource type`,
        ),
      region: z.string().optional(),
      inventory: z.boolean().optional().describe('also return the resources read (default false)'),
      limit: z
        .number()
        .int()
        .min(1)
        .max(2000)
        .optional()
        .describe('at most this many of each list (default 200)'),
    },
    output: {
      case: z.string(),
      generatedAt: z.string(),
      summary: anyObject,
      total: z.number(),
      returned: z.number(),
      persistence: z.array(anyObject),
      inventory: z.array(anyObject),
      notChecked: z.array(anyObject),
    },
    run: (args, ctx) => Promise.resolve(scopeItems(caseDir(ctx, args.case), args)),
  }),
  defineTool({
    name: 'blast_radius',
    title: 'Blast radius',
    description:
      'What the compromised principal could reach (effective permissions, privilege-escalation paths, roles it can become, data it can read) and what it did, as scope computed it into scope.json; `computed: false` with the reason when this case’s scope holds none.',
    input: { case: caseRef },
    output: {
      case: z.string(),
      computed: z.boolean(),
      reason: z.string().nullable(),
      blastRadius: z.unknown(),
    },
    run: (args, ctx) => Promise.resolve(blastRadius(caseDir(ctx, args.case))),
  }),
  defineTool({
    name: 'eradication_plan',
    title: 'Eradication plan (read only)',
    description:
      'The case’s latest eradication plan as its journal records it (each step: action, target, the change, whether it was applied, verified or undone), and the ways back in scope attributed to the attacker that eradication acts on. Never makes or applies a plan: a person runs `tourniquet eradicate`. `available: false` with the reason when the case has no plan.' +
      UNTRUSTED,
    input: { case: caseRef },
    output: {
      case: z.string(),
      available: z.boolean(),
      reason: z.string().nullable(),
      plan: anyObject.nullable(),
      candidates: z.array(anyObject).nullable(),
      scopeProblem: z.string().nullable(),
    },
    run: (args, ctx) => Promise.resolve(eradicationPlan(caseDir(ctx, args.case))),
  }),
];
