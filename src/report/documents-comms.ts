import type { Doc, DocBlock } from './doc.js';
import type { Facts } from './facts.js';
import { scopeBlocks } from './scope-facts.js';
import { factText, isUnknown } from './unknown.js';
import {
  activityText,
  containedText,
  costText,
  createdSummary,
  listText,
  severityText,
  subjectText,
  timeText,
  utc,
  whatHappened,
} from './words.js';

/** The actions the responders took, as list items with their times. */
export function actionItems(facts: Facts): DocBlock {
  const done = facts.actions.filter((a) => a.kind !== 'case.created');
  return {
    kind: 'table',
    columns: ['Time', 'Action', 'Target', 'Result'],
    rows: done.map((a) => [utc(a.at), a.what, a.target ?? '', a.result ?? '']),
    empty: 'No response action is journalled yet.',
  };
}

function byline(facts: Facts, what: string): string {
  return `${what} · case ${facts.caseId} · ${utc(facts.generatedAt)}`;
}

/** The playbook's first message to stakeholders: what happened, what is being done, next update. */
export function statusUpdate(facts: Facts): Doc {
  return {
    title: `Security incident status update: compromised AWS credential`,
    byline: byline(facts, 'Initial status update'),
    blocks: [
      {
        kind: 'fields',
        rows: [
          [
            'Status',
            facts.eradicated
              ? "contained; the attacker's items removed or put back (verified)"
              : facts.contained
                ? 'contained, investigation continues'
                : 'active, containment under way',
          ],
          ['Severity', severityText(facts)],
          ['Credential', `${subjectText(facts.subject)} (${factText(facts.credentialType)})`],
          ['AWS account', factText(facts.account)],
          ['Aware since', timeText(facts.times.awareness)],
          ['Contained', containedText(facts)],
        ],
      },
      { kind: 'heading', text: 'What happened' },
      { kind: 'para', text: whatHappened(facts) },
      { kind: 'heading', text: 'What we are doing' },
      actionItems(facts),
      { kind: 'heading', text: 'Impact so far' },
      {
        kind: 'list',
        items: [
          `Attacker activity: ${activityText(facts)}.`,
          `Regions touched: ${listText(facts.regions)}.`,
          `Resources created: ${createdSummary(facts)}.`,
          `Estimated cost: ${costText(facts)}.`,
        ],
      },
      { kind: 'heading', text: 'What we need from you' },
      {
        kind: 'list',
        items: [
          'Do not use, re-enable or rotate the affected credential yourself; the security team holds it as evidence.',
          'Report anything unusual you see in this AWS account (new resources, alerts, bills) to the incident channel.',
          'Keep this incident confidential until the security team says otherwise.',
        ],
      },
      { kind: 'heading', text: 'Next update' },
      { kind: 'para', text: `By ${utc(facts.times.nextUpdate)}, or sooner if the situation changes.` },
    ],
  };
}

/** The notice to the team that owns the credential: what breaks, what to do, what to tell us. */
export function devNotice(facts: Facts): Doc {
  const key = isUnknown(facts.subject) ? null : (facts.subject.accessKeyId ?? null);
  return {
    title: 'Notice to development teams: an AWS credential you may use is disabled',
    byline: byline(facts, 'Development-team notice'),
    blocks: [
      { kind: 'heading', text: 'What happened' },
      { kind: 'para', text: whatHappened(facts) },
      { kind: 'heading', text: 'What is being done' },
      {
        kind: 'para',
        text: facts.contained
          ? `The credential was contained at ${timeText(facts.times.containment)}: it no longer works, and sessions derived from it are denied.`
          : 'The security team is disabling the credential and every session derived from it now.',
      },
      actionItems(facts),
      { kind: 'heading', text: 'What this means for you' },
      {
        kind: 'list',
        items: [
          key
            ? [
                'Anything still using access key ',
                { code: key },
                ' fails from now on (InvalidClientTokenId or AccessDenied).',
              ]
            : 'Anything still using this credential fails from now on (InvalidClientTokenId or AccessDenied).',
          'Do not re-enable the key or create a new one for the same user; the security team issues the replacement.',
        ],
      },
      { kind: 'heading', text: 'What we need from you' },
      {
        kind: 'list',
        ordered: true,
        items: [
          'Tell the security team every place the credential is configured: pipelines, servers, containers, laptops, scripts.',
          'Check the attacker addresses and tools below; tell us at once if any of them are yours (a false positive changes the response).',
          'Remove the credential from source code, repository history, images and shared documents.',
          'Plan the switch to the replacement (or to a role with temporary credentials) when it is issued.',
        ],
      },
      {
        kind: 'fields',
        rows: [
          ['Attacker source addresses', listText(facts.attackerIps)],
          ['Attacker user agents', listText(facts.userAgents)],
          ['Regions', listText(facts.regions)],
        ],
      },
      { kind: 'heading', text: 'Backdoors the attacker left' },
      ...scopeBlocks(facts.scope, 'attacker'),
      { kind: 'heading', text: 'Next update' },
      { kind: 'para', text: `By ${utc(facts.times.nextUpdate)}.` },
    ],
  };
}

/** Text to paste into an AWS Support case (account and billing, or security). */
export function awsSupportCase(facts: Facts): Doc {
  const created = isUnknown(facts.resources) ? [] : facts.resources.filter((r) => r.action === 'created');
  const costLines = isUnknown(facts.cost) ? [] : facts.cost.lines;
  return {
    title: `AWS Support case: compromised credential in account ${factText(facts.account)}`,
    byline: byline(facts, 'AWS Support case text'),
    blocks: [
      {
        kind: 'fields',
        rows: [
          [
            'Subject',
            `Compromised IAM credential and unauthorized usage in account ${factText(facts.account)}`,
          ],
          ['Severity requested', facts.contained ? 'Urgent business impact' : 'Critical business impact'],
        ],
      },
      { kind: 'heading', text: 'Description' },
      { kind: 'para', text: 'Hello AWS Support,' },
      { kind: 'para', text: whatHappened(facts) },
      {
        kind: 'para',
        text: `We became aware at ${timeText(facts.times.awareness)}. Containment: ${containedText(facts)}. Source addresses used by the unauthorized party: ${listText(facts.attackerIps)}.`,
      },
      { kind: 'subheading', text: 'Resources created by the unauthorized party' },
      {
        kind: 'table',
        columns: ['Type', 'Identifier', 'Region', 'Created'],
        rows: created.map((r) => [r.type, { code: r.id }, r.region, utc(r.time)]),
        empty: isUnknown(facts.resources) ? `Resources: ${factText(facts.resources)}.` : 'None found.',
      },
      { kind: 'subheading', text: 'Estimated unauthorized usage' },
      {
        kind: 'table',
        columns: ['Instance type', 'Region', 'Instances', 'Instance-hours'],
        rows: costLines.map((l) => [l.instanceType, l.region, String(l.instances), l.hours.toFixed(2)]),
        empty: isUnknown(facts.cost) ? `Usage: ${factText(facts.cost)}.` : 'No instance usage found.',
      },
      { kind: 'heading', text: 'What we ask' },
      {
        kind: 'list',
        ordered: true,
        items: [
          'Review the account for further unauthorized activity or resources we may have missed.',
          'Review the charges caused by this unauthorized usage for a billing adjustment.',
          'Confirm whether any AWS-side restriction (quarantine policy, service limits) is in place on the account.',
        ],
      },
      {
        kind: 'para',
        text: 'We keep the CloudTrail records and the case journal as evidence and can share them on request.',
      },
    ],
  };
}
