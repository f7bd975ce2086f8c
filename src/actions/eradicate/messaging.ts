import { DeleteEmailIdentityCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetSMSAttributesCommand, SNSClient, SetSMSAttributesCommand } from '@aws-sdk/client-sns';
import { readOrAbsent } from '../iam-read.js';
import { asJson, removal, restoration } from './declare.js';

/**
 * Delete an SES identity (address or domain) the attacker verified to send from, its attributes
 * kept first. Sending stays as the owner left it: turning it back on is the owner's decision.
 */
export const deleteSesIdentity = removal<Record<string, unknown>>({
  name: 'delete-ses-identity',
  summary: 'keep its attributes, then delete an SES sender identity the attacker verified',
  irreversibleBecause:
    'the attacker can verify an address or domain they control again; the kept attributes say what it was',
  target: (p) => `${p.region ?? '?'}/${p.identity ?? '?'}`,
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      pool.get(SESv2Client, p.region).send(new GetEmailIdentityCommand({ EmailIdentity: p.identity })),
    );
    if (!out) return undefined;
    const { $metadata: _, ...state } = out;
    return { state: { identity: p.identity, ...state } };
  },
  describe: (s) => `keep its attributes, delete the SES identity ${String(s.identity)}`,
  preserve: (_pool, p, s, context) =>
    context.keep('ses-identity.json', asJson(s), `sesv2:GetEmailIdentity ${p.region} ${p.identity}`),
  async remove(pool, p) {
    await readOrAbsent(() =>
      pool.get(SESv2Client, p.region).send(new DeleteEmailIdentityCommand({ EmailIdentity: p.identity })),
    );
  },
});

const priorOf = (p: Record<string, string | undefined>): Record<string, string> =>
  JSON.parse(p.prior ?? '{}') as Record<string, string>;

/**
 * Put back the SMS attributes the attacker changed in a region (the monthly spend limit above all):
 * the values the account last set before the attack, from Event history. Lowering the limit is
 * also what stops SMS pumping at once.
 */
export const restoreSmsAttributes = restoration<{ attributes: Record<string, string> }>({
  name: 'restore-sms-attributes',
  summary: 'put back the SMS attributes (monthly spend limit) the attacker changed',
  irreversibleBecause: 'the values the attacker set are kept as evidence; setting them again is never wanted',
  target: (p) => `${p.region ?? '?'}/sms-attributes`,
  async read(pool, p) {
    const out = await pool.get(SNSClient, p.region).send(new GetSMSAttributesCommand({}));
    return { attributes: out.attributes ?? {} };
  },
  restored: (s, p) => Object.entries(priorOf(p)).every(([k, v]) => s.attributes[k] === v),
  describe: (s, p) => {
    const prior = Object.entries(priorOf(p));
    if (!prior.length)
      return 'cannot: no earlier value is in Event history; set MonthlySpendLimit by hand (the owner’s figure, or 0 to stop all texts)';
    return `put back ${prior.map(([k, v]) => `${k} ${s.attributes[k] ?? '(unset)'} → ${v}`).join(', ')}`;
  },
  evidence: (s) => [{ file: 'sms-attributes.json', content: asJson(s) }],
  async write(pool, p) {
    const attributes = priorOf(p);
    await pool.get(SNSClient, p.region).send(new SetSMSAttributesCommand({ attributes }));
    return { attributes };
  },
});
