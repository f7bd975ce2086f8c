import { createHash } from 'node:crypto';
import type { Step, TimelineItem } from './types.js';
import { W, appZip, arn } from './world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A seeded pseudo-random generator (mulberry32), so a baseline is a function of its seed. */
export function seededRandom(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Make = (at: number) => Step;

/** What the developer does when checking on things (read calls, one of them per pick). */
const DEVELOPER_READS: Make[] = [
  (at) => ({ at, actor: 'developer', service: 'ec2', op: 'DescribeInstances', input: {} }),
  (at) => ({ at, actor: 'developer', service: 's3', op: 'ListBuckets', input: {} }),
  (at) => ({
    at,
    actor: 'developer',
    service: 's3',
    op: 'ListObjectsV2',
    input: { Bucket: W.artifacts, Prefix: 'builds/' },
  }),
  (at) => ({ at, actor: 'developer', service: 'lambda', op: 'ListFunctions', input: {} }),
  (at) => ({
    at,
    actor: 'developer',
    service: 'lambda',
    op: 'GetFunctionConfiguration',
    input: { FunctionName: W.fn },
  }),
  (at) => ({ at, actor: 'developer', service: 'ssm', op: 'GetParameter', input: { Name: W.parameters[3] } }),
  (at) => ({ at, actor: 'developer', service: 'ssm', op: 'GetParameter', input: { Name: W.parameters[0] } }),
  (at) => ({ at, actor: 'developer', service: 'ec2', op: 'DescribeSecurityGroups', input: {} }),
  (at) => ({ at, actor: 'developer', service: 'iam', op: 'ListRoles', input: {} }),
  (at) => ({
    at,
    actor: 'developer',
    service: 'secretsmanager',
    op: 'DescribeSecret',
    input: { SecretId: W.secrets[0] },
  }),
];

/** One CI pipeline run: identity check, artifact upload, deploy of the function, deploy-role check. */
function ciRun(at: number, build: number): Step[] {
  return [
    { at, actor: 'ci', service: 'sts', op: 'GetCallerIdentity', input: {} },
    {
      at: at + 20_000,
      actor: 'ci',
      service: 's3',
      op: 'PutObject',
      input: { Bucket: W.artifacts, Key: `builds/${build}.zip`, Body: appZip(build) },
    },
    {
      at: at + 40_000,
      actor: 'ci',
      service: 'lambda',
      op: 'UpdateFunctionCode',
      input: { FunctionName: W.fn, ZipFile: appZip(build) },
    },
    {
      at: at + 60_000,
      actor: 'ci',
      service: 'sts',
      op: 'AssumeRole',
      input: { RoleArn: arn.role(W.deployRole), RoleSessionName: `ci-build-${build}`, DurationSeconds: 900 },
      save: (out, v) => {
        const c = out.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
        v.ciSession = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
        };
      },
    },
    {
      at: at + 80_000,
      actor: 'ci',
      as: 'ciSession',
      service: 'lambda',
      op: 'GetFunctionConfiguration',
      input: { FunctionName: W.fn },
    },
  ];
}

/**
 * Weeks of normal work by the same user and key the attacker will use: the developer's CLI from
 * the office on weekdays, and the CI pipeline (same key) deploying several times a day, plus a
 * weekly admin review. Times are in [from, to).
 */
export function baselineSteps(seed: string, from: number, to: number): TimelineItem[] {
  const rnd = seededRandom(`baseline:${seed}`);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)]!;
  const steps: TimelineItem[] = [];
  let build = 100;
  const firstDay = Math.floor(from / DAY) * DAY;
  for (let day = firstDay; day < to; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    const workday = weekday >= 1 && weekday <= 5;
    // A group goes in from its first step or not at all: a pipeline run's last call is made as
    // the session its AssumeRole saved, and a window opening between the two left that call
    // without credentials (the window is counted back from the clock, so any second can open it).
    const add = (list: TimelineItem[]) => {
      if (list[0]!.at < from) return;
      for (const s of list) if (s.at < to) steps.push(s);
    };
    if (workday) {
      const sessions = 2 + Math.floor(rnd() * 3);
      for (let i = 0; i < sessions; i++) {
        const start = day + 8 * HOUR + Math.floor(rnd() * 9 * HOUR);
        const calls: Step[] = [
          { at: start, actor: 'developer', service: 'sts', op: 'GetCallerIdentity', input: {} },
        ];
        const reads = 2 + Math.floor(rnd() * 3);
        for (let j = 1; j <= reads; j++) calls.push(pick(DEVELOPER_READS)(start + j * 40_000));
        add(calls);
      }
      const runs = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < runs; i++) add(ciRun(day + 9 * HOUR + Math.floor(rnd() * 9 * HOUR), build++));
      if (weekday === 1) {
        const at = day + 10 * HOUR;
        add([
          {
            at: at - 5 * MIN,
            actor: 'admin-browser',
            console: { kind: 'login', userName: W.adminUser, success: true },
          },
          { at, actor: 'admin', service: 'iam', op: 'ListUsers', input: {} },
          { at: at + MIN, actor: 'admin', service: 'iam', op: 'GetAccountSummary', input: {} },
          { at: at + 2 * MIN, actor: 'admin', service: 'guardduty', op: 'ListDetectors', input: {} },
        ]);
      }
    } else {
      // Nightly build on weekends.
      add(ciRun(day + 2 * HOUR + Math.floor(rnd() * HOUR), build++));
    }
  }
  return steps;
}
