import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  RemovePermissionCommand,
  type FunctionUrlAuthType,
  type GetFunctionUrlConfigCommandOutput,
} from '@aws-sdk/client-lambda';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, removal, restoration } from './declare.js';

const lambda = (pool: ClientPool, p: StepParams) => pool.get(LambdaClient, p.region);

interface FunctionRecord {
  configuration: Record<string, unknown>;
  codeLocation: string | undefined;
  policy: string | null;
  url: Record<string, unknown> | null;
}

/** The code package behind GetFunction's short-lived presigned `Code.Location`. */
export async function download(location: string): Promise<Uint8Array> {
  const response = await fetch(location);
  if (!response.ok) throw new Error(`code package download answered HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Delete a function the attacker created, once its code package (the zip, with its sha256 in
 * the manifest), configuration, resource policy and function URL are kept.
 */
export const deleteFunction = removal<FunctionRecord>({
  name: 'delete-function',
  summary:
    'keep the code package, configuration, policy and URL, then delete a function the attacker created',
  irreversibleBecause: 'a deleted function can be re-created from the kept package, but not with its old URL',
  target: (p) => `${p.region ?? '?'}/${p.functionName ?? '?'}`,
  async read(pool, p) {
    const client = lambda(pool, p);
    const fn = await readOrAbsent(() =>
      client.send(new GetFunctionCommand({ FunctionName: p.functionName })),
    );
    if (!fn?.Configuration) return undefined;
    const policy = await readOrAbsent(() =>
      client.send(new GetPolicyCommand({ FunctionName: p.functionName })),
    );
    const url = await readOrAbsent(() =>
      client.send(new GetFunctionUrlConfigCommand({ FunctionName: p.functionName })),
    );
    return {
      state: {
        configuration: fn.Configuration as Record<string, unknown>,
        codeLocation: fn.Code?.Location,
        policy: policy?.Policy ?? null,
        url: url ? urlOf(url) : null,
      },
    };
  },
  summarize: (f) => ({
    runtime: f.configuration.Runtime,
    role: f.configuration.Role,
    codeSha256: f.configuration.CodeSha256,
    url: f.url?.FunctionUrl ?? null,
  }),
  describe: (f) =>
    `keep the code package and configuration${f.url ? `, its URL (${String(f.url.AuthType)})` : ''}${f.policy ? ' and policy' : ''}, delete the function`,
  async preserve(pool, p, f, context) {
    // The location read at plan time has expired by now: ask for a fresh one.
    const fresh = await lambda(pool, p).send(new GetFunctionCommand({ FunctionName: p.functionName }));
    const location = fresh.Code?.Location ?? f.codeLocation;
    const code = location
      ? await context.keep(
          'code.zip',
          await download(location),
          `lambda:GetFunction Code.Location ${p.region}`,
        )
      : null;
    const configuration = await context.keep(
      'configuration.json',
      asJson(f.configuration),
      `lambda:GetFunction ${p.region}`,
    );
    const policy = f.policy
      ? await context.keep('policy.json', f.policy, `lambda:GetPolicy ${p.region}`)
      : null;
    const url = f.url
      ? await context.keep('function-url.json', asJson(f.url), `lambda:GetFunctionUrlConfig ${p.region}`)
      : null;
    return { code, configuration, policy, url, codeSha256: f.configuration.CodeSha256 };
  },
  async remove(pool, p) {
    const client = lambda(pool, p);
    // The URL goes with the function; deleting it first closes the door before the rest.
    await readOrAbsent(() =>
      client.send(new DeleteFunctionUrlConfigCommand({ FunctionName: p.functionName })),
    );
    await readOrAbsent(() => client.send(new DeleteFunctionCommand({ FunctionName: p.functionName })));
  },
});

function urlOf(out: GetFunctionUrlConfigCommandOutput): Record<string, unknown> {
  return {
    FunctionUrl: out.FunctionUrl,
    FunctionArn: out.FunctionArn,
    AuthType: out.AuthType,
    Cors: out.Cors,
    InvokeMode: out.InvokeMode,
    CreationTime: out.CreationTime,
  };
}

interface UrlState {
  url: Record<string, unknown> | null;
}

/** Delete a function URL the attacker put on a function that stays. */
export const deleteFunctionUrl = restoration<UrlState>({
  name: 'delete-function-url',
  summary: 'keep its configuration, then delete a function URL the attacker added to an existing function',
  target: (p) => `${p.region ?? '?'}/${p.functionName ?? '?'}/url`,
  async read(pool, p) {
    const client = lambda(pool, p);
    const fn = await readOrAbsent(() =>
      client.send(new GetFunctionCommand({ FunctionName: p.functionName })),
    );
    if (!fn) return undefined;
    const url = await readOrAbsent(() =>
      client.send(new GetFunctionUrlConfigCommand({ FunctionName: p.functionName })),
    );
    return { url: url ? urlOf(url) : null };
  },
  restored: (s) => s.url === null,
  describe: (s) =>
    `keep its configuration, delete ${String(s.url?.FunctionUrl)} (${String(s.url?.AuthType)})`,
  evidence: (s) => [{ file: 'function-url.json', content: asJson(s.url) }],
  async write(pool, p) {
    await readOrAbsent(() =>
      lambda(pool, p).send(new DeleteFunctionUrlConfigCommand({ FunctionName: p.functionName })),
    );
    return { deleted: true };
  },
  async undo(pool, step, before) {
    if (!before.url) return { restored: 'nothing: there was no URL' };
    await lambda(pool, step.params).send(
      new CreateFunctionUrlConfigCommand({
        FunctionName: step.params.functionName,
        AuthType: before.url.AuthType as FunctionUrlAuthType,
      }),
    );
    return { restored: 'a function URL with the same auth type (AWS gives it a new address)' };
  },
});

interface PolicyStatements {
  statements: { Sid?: string }[];
  text: string | null;
}

/** Remove one statement the attacker added to the resource policy of a function that stays. */
export const removeFunctionPermission = restoration<PolicyStatements>({
  name: 'remove-function-permission',
  summary: 'keep the policy, then remove a permission the attacker added to an existing function',
  irreversibleBecause: 'the removed statement is in the evidence; AddPermission can grant it again by hand',
  target: (p) => `${p.region ?? '?'}/${p.functionName ?? '?'}/${p.statementId ?? '?'}`,
  async read(pool, p) {
    const client = lambda(pool, p);
    const fn = await readOrAbsent(() =>
      client.send(new GetFunctionCommand({ FunctionName: p.functionName })),
    );
    if (!fn) return undefined;
    const policy = await readOrAbsent(() =>
      client.send(new GetPolicyCommand({ FunctionName: p.functionName })),
    );
    const text = policy?.Policy ?? null;
    const parsed = text ? (JSON.parse(text) as { Statement?: { Sid?: string }[] }) : {};
    return { statements: parsed.Statement ?? [], text };
  },
  restored: (s, p) => !s.statements.some((x) => x.Sid === p.statementId),
  describe: (_s, p) => `keep the policy, remove statement ${p.statementId ?? '?'}`,
  evidence: (s) => [{ file: 'function-policy.json', content: s.text ?? '' }],
  async write(pool, p) {
    await readOrAbsent(() =>
      lambda(pool, p).send(
        new RemovePermissionCommand({ FunctionName: p.functionName, StatementId: p.statementId }),
      ),
    );
    return { removed: p.statementId };
  },
});
