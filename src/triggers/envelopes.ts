import { z } from 'zod';
import type { AlertContext } from './trigger.js';

/** A document reached by peeling its wrappers, with what the wrappers said. */
export interface Peeled {
  doc: unknown;
  via: string[];
  context: AlertContext;
  /** Position in the outer list, when the file held several documents. */
  index?: number;
}

/**
 * A wrapper around alert documents, declared: how to recognise it and what it holds. Alerts reach
 * a responder as EventBridge events, SNS notifications (raw or as a Lambda receives them), AWS CLI
 * output (PascalCase, lists), or lists of API results.
 */
interface Envelope {
  name: string;
  schema: z.ZodTypeAny;
  open(value: never): { items: unknown[]; context?: AlertContext; listed?: boolean };
}

const defineEnvelope = <S extends z.ZodTypeAny>(e: {
  name: string;
  schema: S;
  open(value: z.infer<S>): { items: unknown[]; context?: AlertContext; listed?: boolean };
}): Envelope => e;

/** JSON text inside a JSON string field (SNS `Message`, LookupEvents `CloudTrailEvent`); the text itself when not JSON. */
function parseInner(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The AWS CLI prints API members in PascalCase (`Resource.AccessKeyDetails.AccessKeyId`); the
 * service's wire names, which EventBridge and exports use, are lowerCamel (aws-facts §4.3).
 */
export function lowerCamelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCamelKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), lowerCamelKeys(v)]),
  );
}

const text = z.string();

export const ENVELOPES: Envelope[] = [
  defineEnvelope({
    name: 'EventBridge event',
    schema: z
      .object({
        'detail-type': text,
        source: text,
        detail: z.unknown(),
        time: text.optional(),
        account: text.optional(),
        region: text.optional(),
        resources: z.array(z.unknown()).optional(),
      })
      .passthrough(),
    open: (e) => ({
      items: [e.detail],
      context: {
        time: e.time,
        account: e.account,
        region: e.region,
        resources: e.resources?.filter((r): r is string => typeof r === 'string'),
      },
    }),
  }),
  defineEnvelope({
    name: 'SNS notification',
    schema: z
      .object({ Type: z.literal('Notification'), Message: text, Timestamp: text.optional() })
      .passthrough(),
    open: (n) => ({ items: [parseInner(n.Message)], context: { time: n.Timestamp } }),
  }),
  defineEnvelope({
    name: 'SNS event (Lambda)',
    schema: z
      .object({
        Records: z.array(z.object({ EventSource: z.literal('aws:sns'), Sns: z.unknown() }).passthrough()),
      })
      .passthrough(),
    open: (e) => ({ items: e.Records.map((r) => r.Sns), listed: e.Records.length > 1 }),
  }),
  defineEnvelope({
    name: 'CloudTrail log file',
    schema: z.object({ Records: z.array(z.unknown()) }).passthrough(),
    open: (f) => ({ items: f.Records, listed: true }),
  }),
  defineEnvelope({
    name: 'LookupEvents output',
    schema: z.object({ Events: z.array(z.unknown()) }).passthrough(),
    open: (o) => ({ items: o.Events, listed: true }),
  }),
  defineEnvelope({
    name: 'LookupEvents event',
    schema: z.object({ CloudTrailEvent: text }).passthrough(),
    open: (e) => ({ items: [parseInner(e.CloudTrailEvent)] }),
  }),
  defineEnvelope({
    name: 'GuardDuty GetFindings output',
    schema: z.object({ Findings: z.array(z.unknown()) }).passthrough(),
    open: (o) => ({ items: o.Findings.map(lowerCamelKeys), listed: true }),
  }),
  defineEnvelope({
    name: 'AWS CLI output (PascalCase)',
    // One finding as `aws guardduty get-findings --query 'Findings[0]'` prints it.
    schema: z.object({ SchemaVersion: text, Type: text, Resource: z.unknown() }).passthrough(),
    open: (f) => ({ items: [lowerCamelKeys(f)] }),
  }),
  defineEnvelope({
    name: 'Cost Explorer GetAnomalies output',
    schema: z.object({ Anomalies: z.array(z.unknown()) }).passthrough(),
    open: (o) => ({ items: o.Anomalies.map(lowerCamelKeys), listed: true }),
  }),
  defineEnvelope({
    name: 'list',
    schema: z.array(z.unknown()),
    open: (items) => ({ items, listed: true }),
  }),
];

/** Peeling stops here: alerts are never wrapped deeper than EventBridge in SNS in a Lambda event. */
const MAX_DEPTH = 6;

/**
 * Every document inside `doc`, its wrappers peeled (outer context first, inner values winning:
 * the innermost wrapper is closest to the alert).
 */
export function peel(doc: unknown, via: string[] = [], context: AlertContext = {}, depth = 0): Peeled[] {
  if (depth < MAX_DEPTH) {
    for (const envelope of ENVELOPES) {
      const parsed = envelope.schema.safeParse(doc);
      if (!parsed.success) continue;
      const opened = envelope.open(parsed.data as never);
      const inner = { ...context, ...definedOnly(opened.context ?? {}) };
      const out: Peeled[] = [];
      for (const [i, item] of opened.items.entries()) {
        for (const p of peel(item, [...via, envelope.name], inner, depth + 1))
          out.push(opened.listed ? { ...p, index: p.index ?? i } : p);
      }
      return out;
    }
  }
  return [{ doc, via, context }];
}

function definedOnly(context: AlertContext): AlertContext {
  const time = context.time === undefined ? NaN : Date.parse(context.time);
  const out = { ...context, time: Number.isNaN(time) ? undefined : new Date(time).toISOString() };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
