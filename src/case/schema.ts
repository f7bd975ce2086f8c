import { z } from 'zod';

/** The playbook phases whose start and end times the case records. */
export const PHASES = [
  'triage',
  'contain',
  'collect',
  'investigate',
  'scope',
  'eradicate',
  'recover',
  'watch',
  'report',
] as const;
export type Phase = (typeof PHASES)[number];

const iso = z.string().datetime({ offset: true });

export const subjectSchema = z.object({
  /** What the responder typed: an access key id, user name or ARN, role ARN, or `root`. */
  input: z.string().min(1),
  kind: z.enum(['access-key', 'user', 'role', 'assumed-role', 'root', 'unknown']),
  accessKeyId: z.string().optional(),
  userName: z.string().optional(),
  roleName: z.string().optional(),
  arn: z.string().optional(),
});

export const caseSchema = z.object({
  schema: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  created: iso,
  subject: subjectSchema.nullable(),
  /** The account that owns the compromised credential. */
  account: z
    .string()
    .regex(/^\d{12}$/)
    .nullable(),
  status: z.enum(['open', 'contained', 'eradicated', 'closed']),
  /** When the organisation became aware of the compromise (the clock for regulators' deadlines). */
  awareness: iso.nullable(),
  phases: z.record(z.enum(PHASES), z.object({ started: iso.optional(), completed: iso.optional() })),
  /** The identity Tourniquet itself runs as (GetCallerIdentity at start). */
  responder: z.object({ arn: z.string(), account: z.string(), userId: z.string() }).nullable(),
  /** Head of the journal at the last write: catches removal of the journal's last lines. */
  journal: z.object({ seq: z.number().int().nonnegative(), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
});

export type CaseFile = z.infer<typeof caseSchema>;
export type Subject = z.infer<typeof subjectSchema>;
