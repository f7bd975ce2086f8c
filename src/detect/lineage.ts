import { FROM_EVENTS, NOT_RESPONDER, PRINCIPAL, valueIn, type EventQuery } from './events.js';

/** How a credential came to exist. */
export type Derivation =
  | 'subject'
  | 'GetSessionToken'
  | 'GetFederationToken'
  | 'AssumeRole'
  | 'AssumeRoleWithSAML'
  | 'AssumeRoleWithWebIdentity'
  | 'CreateAccessKey'
  | 'ConsoleLogin';

/** One credential in the tree: the subject key, or a key derived from it. */
export interface LineageNode {
  key: string;
  via: Derivation;
  /** Who the key acts as (session ARN, federated user, IAM user). */
  principal: string | null;
  /** For AssumeRole: the role; for federation: the federated user; for CreateAccessKey: the user. */
  target: string | null;
  /** Account the credential acts in, when known. */
  account: string | null;
  crossAccount: boolean;
  /** When and by which event the key was made (null for the subject). */
  createdAt: string | null;
  createdBy: string | null;
  eventCount: number;
  firstSeen: string | null;
  lastSeen: string | null;
  children: LineageNode[];
}

export interface Lineage {
  roots: LineageNode[];
  /** Every key in the tree (attribution: their events are the compromise's). */
  keys: string[];
  /** Sign-in events that opened console sessions in the tree (they carry no access key). */
  consoleLoginEventIds: string[];
  /**
   * Records of the derived credentials' minting that carry none of the tree's keys: a cross-account
   * AssumeRole is also logged in the role's account, under the caller's account, not its key.
   * Optional: investigations saved before it existed lack it.
   */
  mintingEventIds?: string[];
}

interface DerivationRow {
  eventid: string;
  eventtime: string;
  eventname: string;
  parent: string;
  calleraccount: string | null;
  recipientaccountid: string | null;
  childkey: string | null;
  rolearn: string | null;
  sessionarn: string | null;
  federatedarn: string | null;
  newkey: string | null;
  newkeyuser: string | null;
}

const DERIVING_CALLS = [
  'GetSessionToken',
  'GetFederationToken',
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'CreateAccessKey',
];
/** Console sessions begin within seconds of the sign-in (sessionContext.attributes.creationDate). */
const CONSOLE_SESSION_SLACK_MS = 5 * 60_000;
const MAX_DEPTH = 64;

/**
 * Every credential derived from the subject keys, to any depth: STS sessions (temporary key ids
 * are in `responseElements.credentials.accessKeyId`), role chaining and cross-account roles, new
 * access keys (`responseElements.accessKey.accessKeyId`), and console sessions opened by a
 * federated user the tree created or by a user whose password the tree set.
 */
export async function lineageOf(store: EventQuery, subjectKeys: string[]): Promise<Lineage> {
  const nodes = new Map<string, LineageNode>();
  const consoleLogins: string[] = [];
  const roots = subjectKeys.map((key) => newNode(key, 'subject'));
  for (const root of roots) nodes.set(root.key, root);
  let frontier = roots;
  for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth++) {
    const next: LineageNode[] = [];
    for (const row of await derivations(
      store,
      frontier.map((n) => n.key),
    )) {
      const parent = nodes.get(row.parent)!;
      const key = row.eventname === 'CreateAccessKey' ? row.newkey : row.childkey;
      if (!key) continue;
      const account = row.rolearn ? (row.rolearn.split(':')[4] ?? null) : (row.recipientaccountid ?? null);
      const known = nodes.get(key);
      if (known) {
        // A key asked for as a root whose minting is here keeps its place but learns where it acts
        // (a session in another account has no activity in this store to tell).
        known.account ??= account;
        known.principal ??= row.sessionarn ?? row.federatedarn;
        continue;
      }
      const node = newNode(key, row.eventname as Derivation);
      node.createdAt = row.eventtime;
      node.createdBy = row.eventid;
      node.target = row.rolearn ?? row.federatedarn ?? row.newkeyuser;
      node.principal = row.sessionarn ?? row.federatedarn;
      node.account = account;
      node.crossAccount = Boolean(row.rolearn && row.calleraccount && node.account !== row.calleraccount);
      parent.children.push(node);
      nodes.set(key, node);
      next.push(node);
    }
    for (const session of await consoleSessions(store, frontier, nodes)) {
      consoleLogins.push(session.loginEventId);
      const node = newNode(session.key, 'ConsoleLogin');
      node.createdAt = session.loginTime;
      node.createdBy = session.loginEventId;
      node.principal = session.principal;
      node.target = session.principal;
      session.parent.children.push(node);
      nodes.set(node.key, node);
      next.push(node);
    }
    frontier = next;
  }
  await addActivity(store, nodes);
  consoleLogins.push(...(await rootSignIns(store, subjectKeys)));
  const derived = [...nodes.values()]
    .filter((n) => n.createdAt && n.via !== 'ConsoleLogin')
    .map((n) => n.key);
  return {
    roots,
    keys: [...nodes.keys()],
    consoleLoginEventIds: [...new Set(consoleLogins)],
    mintingEventIds: await mintingRecords(store, [...nodes.keys()], derived),
  };
}

/** Failed sign-ins within this long before a session's sign-in, from its address, belong to it. */
const SIGN_IN_ATTEMPTS_MS = 3_600_000;

/**
 * For subject keys that are console sessions (a user given as the subject: its `ASIA…` session
 * keys), the ConsoleLogin that opened each session (at `sessionContext.attributes.creationDate`)
 * and the failed attempts from the same address in the hour before it (password guessing).
 */
async function rootSignIns(store: EventQuery, subjectKeys: string[]): Promise<string[]> {
  const sessions = subjectKeys.filter((k) => k.startsWith('ASIA'));
  if (sessions.length === 0) return [];
  const among = valueIn('e.useridentity.accesskeyid', sessions);
  const rows = await store.query<{ eventid: string }>(
    `WITH s AS (
       SELECT e.useridentity.arn AS arn, min(e.useridentity.sessioncontext.attributes.creationdate) AS created
       FROM ${FROM_EVENTS}
       WHERE ${among.sql} AND e.useridentity.type = 'IAMUser'
       GROUP BY 1),
     ok AS (
       SELECT e.eventid, e.eventtime, e.sourceipaddress AS ip, s.arn FROM ${FROM_EVENTS} JOIN s ON e.useridentity.arn = s.arn
       WHERE e.eventname = 'ConsoleLogin' AND json_extract_scalar(e.responseelements, '$.ConsoleLogin') = 'Success'
         AND abs(epoch(CAST(e.eventtime AS TIMESTAMP)) - epoch(CAST(s.created AS TIMESTAMP))) * 1000 <= ?)
     SELECT eventid FROM ok
     UNION
     SELECT e.eventid FROM ${FROM_EVENTS} JOIN ok ON e.sourceipaddress = ok.ip
       AND split_part(coalesce(e.useridentity.arn, e.useridentity.username, ''), '/', -1) = split_part(ok.arn, '/', -1)
     WHERE e.eventname = 'ConsoleLogin' AND json_extract_scalar(e.responseelements, '$.ConsoleLogin') = 'Failure'
       AND e.eventtime <= ok.eventtime
       AND epoch(CAST(ok.eventtime AS TIMESTAMP)) - epoch(CAST(e.eventtime AS TIMESTAMP)) <= ? / 1000`,
    [...among.params, CONSOLE_SESSION_SLACK_MS, SIGN_IN_ATTEMPTS_MS],
  );
  return rows.map((r) => r.eventid);
}

/** Records that minted one of `derived` but are signed by no key of the tree. */
async function mintingRecords(store: EventQuery, keys: string[], derived: string[]): Promise<string[]> {
  if (derived.length === 0) return [];
  const rows = await store.query<{ eventid: string }>(
    `SELECT e.eventid FROM ${FROM_EVENTS}
     WHERE json_extract_scalar(e.responseelements, '$.credentials.accessKeyId') IN (${placeholders(derived.length)})
       AND e.eventsource = 'sts.amazonaws.com'
       AND coalesce(e.useridentity.accesskeyid, '') NOT IN (${placeholders(keys.length)})
     ORDER BY e.eventtime, e.eventid`,
    [...derived, ...keys],
  );
  return rows.map((r) => r.eventid);
}

function newNode(key: string, via: Derivation): LineageNode {
  return {
    key,
    via,
    principal: null,
    target: null,
    account: null,
    crossAccount: false,
    createdAt: null,
    createdBy: null,
    eventCount: 0,
    firstSeen: null,
    lastSeen: null,
    children: [],
  };
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

async function derivations(store: EventQuery, keys: string[]): Promise<DerivationRow[]> {
  const among = valueIn('e.useridentity.accesskeyid', keys);
  return store.query<DerivationRow>(
    `SELECT e.eventid, e.eventtime, e.eventname, e.useridentity.accesskeyid AS parent,
       e.useridentity.accountid AS calleraccount, e.recipientaccountid,
       json_extract_scalar(e.responseelements, '$.credentials.accessKeyId') AS childkey,
       json_extract_scalar(e.requestparameters, '$.roleArn') AS rolearn,
       json_extract_scalar(e.responseelements, '$.assumedRoleUser.arn') AS sessionarn,
       json_extract_scalar(e.responseelements, '$.federatedUser.arn') AS federatedarn,
       json_extract_scalar(e.responseelements, '$.accessKey.accessKeyId') AS newkey,
       json_extract_scalar(e.responseelements, '$.accessKey.userName') AS newkeyuser
     FROM ${FROM_EVENTS}
     WHERE ${among.sql}
       AND e.eventsource IN ('sts.amazonaws.com', 'iam.amazonaws.com')
       AND e.eventname IN (${placeholders(DERIVING_CALLS.length)})
       AND coalesce(e.errorcode, '') = ''
     ORDER BY e.eventtime, e.eventid`,
    [...among.params, ...DERIVING_CALLS],
  );
}

interface ConsoleSession {
  parent: LineageNode;
  key: string;
  principal: string;
  loginEventId: string;
  loginTime: string;
}

/**
 * Console sign-ins reachable from the frontier: a federated user the tree minted (the
 * GetFederationToken → GetSigninToken → ConsoleLogin path), or an IAM user whose console password
 * a tree key created or reset. The session's temporary keys are those whose creationDate is the
 * sign-in time.
 */
async function consoleSessions(
  store: EventQuery,
  frontier: LineageNode[],
  known: Map<string, LineageNode>,
): Promise<ConsoleSession[]> {
  const owners = new Map<string, { node: LineageNode; after: string }>();
  for (const node of frontier) {
    if (node.via === 'GetFederationToken' && node.target)
      owners.set(node.target, { node, after: node.createdAt ?? '' });
  }
  const keys = frontier.map((n) => n.key);
  if (keys.length > 0) {
    const among = valueIn('e.useridentity.accesskeyid', keys);
    const passwordSets = await store.query<{
      username: string;
      eventtime: string;
      parent: string;
      account: string;
    }>(
      `SELECT json_extract_scalar(e.requestparameters, '$.userName') AS username, e.eventtime,
         e.useridentity.accesskeyid AS parent, e.recipientaccountid AS account
       FROM ${FROM_EVENTS}
       WHERE ${among.sql}
         AND e.eventname IN ('CreateLoginProfile', 'UpdateLoginProfile') AND coalesce(e.errorcode, '') = ''`,
      among.params,
    );
    for (const set of passwordSets) {
      if (!set.username) continue;
      owners.set(`arn:aws:iam::${set.account}:user/${set.username}`, {
        node: known.get(set.parent)!,
        after: set.eventtime,
      });
    }
  }
  const sessions: ConsoleSession[] = [];
  for (const [principal, owner] of owners) {
    const logins = await store.query<{ eventid: string; eventtime: string }>(
      `SELECT e.eventid, e.eventtime FROM ${FROM_EVENTS}
       WHERE e.eventname = 'ConsoleLogin' AND e.eventtime >= ?
         AND json_extract_scalar(e.responseelements, '$.ConsoleLogin') = 'Success'
         AND (e.useridentity.arn = ? OR e.useridentity.arn LIKE ?)
       ORDER BY e.eventtime`,
      [owner.after, principal, `%:user/%${principal.split('/').at(-1) ?? ''}`],
    );
    if (logins.length === 0) continue;
    const used = await store.query<{ key: string; created: string | null }>(
      `SELECT e.useridentity.accesskeyid AS key, min(e.useridentity.sessioncontext.attributes.creationdate) AS created
       FROM ${FROM_EVENTS}
       WHERE e.useridentity.arn = ? AND e.useridentity.accesskeyid LIKE 'ASIA%' AND e.eventtime >= ?
       GROUP BY 1`,
      [principal, owner.after],
    );
    for (const login of logins) {
      const at = Date.parse(login.eventtime);
      for (const candidate of used) {
        if (known.has(candidate.key) || sessions.some((s) => s.key === candidate.key)) continue;
        const created = candidate.created ? Date.parse(candidate.created) : NaN;
        if (Math.abs(created - at) <= CONSOLE_SESSION_SLACK_MS) {
          sessions.push({
            parent: owner.node,
            key: candidate.key,
            principal,
            loginEventId: login.eventid,
            loginTime: login.eventtime,
          });
        }
      }
    }
  }
  return sessions;
}

async function addActivity(store: EventQuery, nodes: Map<string, LineageNode>): Promise<void> {
  const keys = [...nodes.keys()];
  if (keys.length === 0) return;
  const among = valueIn('e.useridentity.accesskeyid', keys);
  const rows = await store.query<{
    key: string;
    n: number;
    first: string;
    last: string;
    principal: string | null;
    account: string | null;
  }>(
    `SELECT e.useridentity.accesskeyid AS key, count(*) AS n, min(e.eventtime) AS first, max(e.eventtime) AS last,
       min(${PRINCIPAL}) AS principal, min(e.recipientaccountid) AS account
     FROM ${FROM_EVENTS}
     WHERE ${among.sql} AND ${NOT_RESPONDER}
     GROUP BY 1`,
    among.params,
  );
  for (const row of rows) {
    const node = nodes.get(row.key);
    if (!node) continue;
    node.eventCount = row.n;
    node.firstSeen = row.first;
    node.lastSeen = row.last;
    node.principal ??= row.principal;
    node.account ??= row.account;
  }
}

/** The tree as text lines (box-drawing), for the terminal and the report. */
export function renderLineage(lineage: Lineage): string[] {
  const lines: string[] = [];
  const label = (n: LineageNode): string => {
    const how =
      n.via === 'subject'
        ? ''
        : `${n.via}${n.via === 'AssumeRole' && n.target ? ` ${n.target}` : ''}${n.crossAccount ? ' [cross-account]' : ''} ${n.createdAt ?? ''} → `;
    const who = n.principal ? ` (${n.principal})` : '';
    const activity = n.eventCount
      ? ` ${n.eventCount} events ${n.firstSeen} … ${n.lastSeen}`
      : ' no events seen';
    return `${how}${n.key}${who}${activity}`;
  };
  const walk = (node: LineageNode, prefix: string, last: boolean, root: boolean): void => {
    lines.push(root ? label(node) : `${prefix}${last ? '└─ ' : '├─ '}${label(node)}`);
    const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
    node.children.forEach((child, i) => walk(child, childPrefix, i === node.children.length - 1, false));
  };
  for (const root of lineage.roots) walk(root, '', true, true);
  return lines;
}

/**
 * The long-term access keys (AKIA…) an IAM user signed with in the store, for a subject given as a
 * user name or ARN rather than a key.
 */
export async function longTermKeysOf(
  store: EventQuery,
  user: { arn?: string | undefined; userName?: string | undefined },
): Promise<string[]> {
  if (!user.arn && !user.userName) return [];
  const rows = await store.query<{ key: string }>(
    `SELECT DISTINCT e.useridentity.accesskeyid AS key FROM ${FROM_EVENTS}
     WHERE e.useridentity.accesskeyid LIKE 'AKIA%' AND e.useridentity.type = 'IAMUser'
       AND (e.useridentity.arn = ? OR e.useridentity.username = ?)
     ORDER BY 1`,
    [user.arn ?? '', user.userName ?? ''],
  );
  return rows.map((r) => r.key);
}
