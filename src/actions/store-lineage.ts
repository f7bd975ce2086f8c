import { existsSync } from 'node:fs';
import type { LineageNode } from '../detect/lineage.js';
import { messageOf } from '../errors.js';
import type { DerivedSession, LineageResult } from './derived-sessions.js';

/** `STORE_FILE` of src/store/store.ts, repeated so that DuckDB loads only when a store exists. */
export const CASE_STORE_FILE = 'case.duckdb';

const ROLE_CALLS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);

/**
 * Derived credentials from the case's collected events (`tourniquet collect` → case.duckdb),
 * through the investigation's lineage (src/detect/lineage.ts): it also sees what LookupEvents
 * cannot, such as trail files of other regions and accounts. Empty when nothing was collected.
 */
export async function lineageFromStore(file: string, rootKeys: string[]): Promise<LineageResult> {
  if (!existsSync(file) || rootKeys.length === 0) return { sessions: [], notChecked: [] };
  // Loaded only when there is a store: DuckDB's native module costs start-up time on every run.
  const [{ openEventStore }, { lineageOf }] = await Promise.all([
    import('../store/store.js'),
    import('../detect/lineage.js'),
  ]);
  let store;
  try {
    store = await openEventStore(file, { readOnly: true });
  } catch (error) {
    return { sessions: [], notChecked: [`collected events (${file}): ${messageOf(error)}`] };
  }
  try {
    const lineage = await lineageOf(store, rootKeys);
    const sessions: DerivedSession[] = [];
    const walk = (parent: LineageNode, depth: number) => {
      for (const node of parent.children) {
        const account = node.account ?? node.target?.split(':')[4] ?? '';
        const base = {
          accessKeyId: node.key,
          via: node.via,
          parentKey: parent.key,
          account,
          issuedAt: node.createdAt ?? '',
          depth,
        };
        if (ROLE_CALLS.has(node.via) && node.target)
          sessions.push({
            ...base,
            roleArn: node.target,
            ...(node.principal ? { arn: node.principal } : {}),
          });
        else if (node.via === 'CreateAccessKey' && node.target)
          sessions.push({ ...base, userName: node.target });
        else if (node.via !== 'ConsoleLogin')
          sessions.push({ ...base, ...(node.principal ? { arn: node.principal } : {}) });
        walk(node, depth + 1);
      }
    };
    for (const root of lineage.roots) walk(root, 1);
    return { sessions: sessions.filter((s) => /^\d{12}$/.test(s.account)), notChecked: [] };
  } finally {
    store.close();
  }
}
