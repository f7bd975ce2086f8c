import { z } from 'zod';
import { ACCESS_KEY_ID, alertDate, defineRecogniser, type Reading } from '../trigger.js';

/**
 * GitHub secret-scanning alerts (GitHub REST API "secret-scanning-alert" and webhook
 * "secret-scanning-alert-webhook" schemas, github/rest-api-description). AWS's patterns are
 * `aws_access_key_id`, `aws_temporary_access_key_id`, `aws_secret_access_key` and
 * `aws_session_token`. The REST alert carries the matched text in `secret`; the webhook's alert
 * has no `secret` member, so a webhook alone cannot name the key.
 */
const KEY_TYPES = ['aws_access_key_id', 'aws_temporary_access_key_id'];

const alertFields = {
  number: z.number(),
  secret_type: z.string(),
  secret_type_display_name: z.string().optional(),
  created_at: alertDate,
  html_url: z.string().optional(),
  url: z.string().optional(),
  state: z.string().optional(),
  validity: z.string().optional(),
  publicly_leaked: z.boolean().nullable().optional(),
};

const restAlert = z
  .object({
    ...alertFields,
    secret: z.string().optional(),
    first_location_detected: z
      .object({ path: z.string().optional(), commit_sha: z.string().optional() })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

const webhook = z
  .object({
    action: z.string(),
    alert: z.object(alertFields).passthrough(),
    repository: z.object({ full_name: z.string() }).passthrough(),
  })
  .passthrough();

/** `owner/repo` from an alert's html_url (`https://github.com/OWNER/REPO/security/secret-scanning/N`). */
function repositoryOf(htmlUrl: string | undefined): string | undefined {
  const m = /^https:\/\/[^/]+\/([^/]+\/[^/]+)\/security\//.exec(htmlUrl ?? '');
  return m?.[1];
}

/** Why an alert of this type cannot name an AWS key, or undefined when it can. */
function notAKeyAlert(type: string, display: string | undefined): string | undefined {
  if (KEY_TYPES.includes(type)) return undefined;
  if (type.startsWith('aws_'))
    return `GitHub secret-scanning alert of ${display ?? type}: a secret access key or session token does not name its key id; pass the aws_access_key_id alert of the same leak, or the key id`;
  return `GitHub secret-scanning alert of ${display ?? type}; expected an Amazon AWS access key id alert`;
}

type Common = z.infer<typeof restAlert>;

function common(a: z.infer<z.ZodObject<typeof alertFields>>, repository: string | undefined) {
  return {
    source: 'github-secret-scanning' as const,
    name: `GitHub secret-scanning alert #${a.number}${repository ? ` in ${repository}` : ''}`,
    summary: `${a.secret_type_display_name ?? a.secret_type} found${repository ? ` in ${repository}` : ''}`,
    account: null,
    region: null,
    awareness: a.created_at,
    awarenessFrom: 'the alert’s created_at',
    reference: a.html_url ?? a.url ?? null,
    details: [
      ['Secret type', a.secret_type],
      ['State', `${a.state ?? 'unknown'}, validity ${a.validity ?? 'unknown'}`],
      ...(a.publicly_leaked ? [['Publicly leaked', 'yes'] as [string, string]] : []),
    ] as [string, string][],
  };
}

function readRest(a: Common): Reading {
  const refusal = notAKeyAlert(a.secret_type, a.secret_type_display_name);
  if (refusal) return { refused: refusal };
  if (a.secret === undefined)
    return {
      refused: `GitHub secret-scanning alert #${a.number} came without its secret (fetched with hide_secret=true?); fetch it again without, or pass the key id`,
    };
  if (!ACCESS_KEY_ID.test(a.secret))
    return { refused: `GitHub secret-scanning alert #${a.number}: its secret is not an access key id` };
  const repository = repositoryOf(a.html_url);
  const base = common(a, repository);
  const path = a.first_location_detected?.path;
  return {
    trigger: {
      ...base,
      details: [...base.details, ...(path ? [['Found in', path] as [string, string]] : [])],
      candidates: [a.secret],
      lead: null,
      unresolved: null,
    },
    // Only this alert is kept: a list of alerts carries other secrets, which the case must not hold.
    evidence: JSON.stringify(a, null, 2) + '\n',
  };
}

function readWebhook(w: z.infer<typeof webhook>): Reading {
  const a = w.alert;
  const refusal = notAKeyAlert(a.secret_type, a.secret_type_display_name);
  if (refusal) return { refused: refusal };
  const repository = w.repository.full_name;
  return {
    trigger: {
      ...common(a, repository),
      candidates: [],
      lead: null,
      unresolved: `GitHub webhooks do not carry the secret: fetch the alert with \`gh api repos/${repository}/secret-scanning/alerts/${a.number} > alert.json\` and pass --from alert.json, or give the key id as SUBJECT`,
    },
  };
}

export const gitHubAlert = defineRecogniser({
  source: 'github-secret-scanning',
  expected: 'a GitHub secret-scanning alert (REST API)',
  marks: z.object({ number: z.number(), secret_type: z.string() }).passthrough(),
  schema: restAlert,
  read: readRest,
});

export const gitHubWebhook = defineRecogniser({
  source: 'github-secret-scanning',
  expected: 'a GitHub secret_scanning_alert webhook',
  marks: z
    .object({ action: z.string(), alert: z.object({ secret_type: z.string() }).passthrough() })
    .passthrough(),
  schema: webhook,
  read: readWebhook,
});
