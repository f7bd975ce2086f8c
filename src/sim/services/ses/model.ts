import type { SimState } from '../../state.js';

/** A sender identity: an email address or a domain. */
export interface SesIdentity {
  name: string;
  type: 'EmailAddress' | 'Domain';
  createdAt: string;
  /** Domains: the TXT record value the owner publishes (`_amazonses.<domain>`). */
  verificationToken?: string;
}

/** The production-access request (SES v2 PutAccountDetails). */
export interface SesAccountDetails {
  mailType: string;
  websiteUrl: string;
  contactLanguage?: string;
  useCaseDescription?: string;
  additionalContactEmailAddresses?: string[];
  /** A request to leave the sandbox waits for AWS's review (a person) and stays pending here. */
  review?: { status: 'PENDING' | 'GRANTED' | 'DENIED'; caseId: string; submittedAt: string };
}

/** SES in one region of an account (SES accounts are regional: sandbox, quota, identities). */
export interface SesRegion {
  identities: Record<string, SesIdentity>;
  sendingEnabled: boolean;
  productionAccess: boolean;
  max24HourSend: number;
  maxSendRate: number;
  details?: SesAccountDetails;
}

/** One accepted message: who sent it, from where, to how many recipients (the bill counts these). */
export interface SentEmail {
  at: string;
  region: string;
  messageId: string;
  operation: 'SendEmail' | 'SendRawEmail';
  api: 'v1' | 'v2';
  from: string;
  recipients: number;
  accessKeyId: string;
  principalArn: string;
  sourceIp: string;
}

/** An account's SES (v1 and v2 share it): regions and every message accepted. */
export interface SesState {
  regions: Record<string, SesRegion>;
  sent: SentEmail[];
}

/** A fresh account: nothing verified. */
export function emptySes(): SesState {
  return { regions: {}, sent: [] };
}

/** A region as a new account has it: in the sandbox, 200 messages a day, one a second (SES DG "Service quotas"). */
export function sesRegion(state: SesState, region: string): SesRegion {
  return (state.regions[region] ??= {
    identities: {},
    sendingEnabled: true,
    productionAccess: false,
    max24HourSend: 200,
    maxSendRate: 1,
  });
}

/** Recipients of messages accepted in a region in the 24 hours before `nowMs`. */
export function sentLast24Hours(state: SesState, region: string, nowMs: number): number {
  const since = nowMs - 24 * 3_600_000;
  return state.sent
    .filter((m) => m.region === region && Date.parse(m.at) > since && Date.parse(m.at) <= nowMs)
    .reduce((n, m) => n + m.recipients, 0);
}

/** An account's SES state as it is, without creating it (truth and tests read it). */
export function sesState(sim: SimState, accountId: string): SesState {
  return (sim.account(accountId)?.services.ses as SesState | undefined) ?? emptySes();
}

/**
 * What AWS Support does when it grants a production-access request: out of the sandbox with a
 * production quota. There is no API for it; scenarios call it for an account that already sends mail.
 */
export function grantSesProductionAccess(
  sim: SimState,
  accountId: string,
  region: string,
  quota: { max24HourSend: number; maxSendRate: number },
): void {
  const state = sim.serviceState(accountId, 'ses', emptySes);
  Object.assign(sesRegion(state, region), { productionAccess: true, ...quota });
}

/** Whether an address (or its domain) is a verified identity of the region. */
export function verifiedFor(region: SesRegion, address: string): boolean {
  const email = address.trim().toLowerCase();
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return Object.keys(region.identities).some((i) => i.toLowerCase() === email || i.toLowerCase() === domain);
}
