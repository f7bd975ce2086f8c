import {
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionConfiguration,
  type LayerVersionsListItem,
} from '@aws-sdk/client-lambda';
import { collectAll } from '../../aws/paginate.js';
import type { ClientPool } from '../../aws/pool.js';
import type { ApplyDetail, StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, listParam, removal, restoration } from './declare.js';
import { download } from './lambda.js';

const lambda = (pool: ClientPool, p: StepParams) => pool.get(LambdaClient, p.region);

/** Lambda dates its resources `2026-12-04T10:00:00.000+0000`. */
const iso = (date: string | undefined) => (date ? new Date(Date.parse(date)).toISOString() : undefined);

/**
 * The versions of a layer to delete: those named by `versions`, or when none are named every
 * version published since `createdAfter` (the attacker's; older ones are never touched).
 */
async function attackerVersions(pool: ClientPool, p: StepParams): Promise<LayerVersionsListItem[]> {
  const start: { Marker?: string } = {};
  const all = await collectAll({
    send: (i: { Marker?: string }) =>
      lambda(pool, p).send(new ListLayerVersionsCommand({ LayerName: p.layerName, Marker: i.Marker })),
    input: start,
    inputToken: 'Marker',
    nextToken: (page) => page.NextMarker,
    items: (page) => page.LayerVersions,
  });
  const named = listParam(p, 'versions');
  if (named.length) return all.filter((v) => named.includes(String(v.Version)));
  const since = p.createdAfter ? Date.parse(p.createdAfter) : undefined;
  return all.filter((v) => since === undefined || Date.parse(v.CreatedDate ?? '') >= since);
}

/**
 * Delete the versions of a Lambda layer the attacker published, once each version's description
 * (and its code package, when Lambda gives a download location) and policy are kept.
 */
export const deleteLayerVersions = removal<LayerVersionsListItem[]>({
  name: 'delete-layer-versions',
  summary: 'keep each version (content and policy), then delete the layer versions the attacker published',
  irreversibleBecause: 'a deleted layer version number is never given again; the content is in the evidence',
  target: (p) => `${p.region ?? '?'}/${p.layerName ?? '?'}${p.versions ? `:${p.versions}` : ''}`,
  async read(pool, p) {
    const versions = await attackerVersions(pool, p);
    if (versions.length === 0) return undefined;
    const oldest = versions.map((v) => iso(v.CreatedDate) ?? '').sort()[0];
    return { state: versions, created: oldest || undefined };
  },
  summarize: (versions) => ({
    versions: versions.map((v) => ({ version: v.Version, created: v.CreatedDate })),
  }),
  describe: (versions) =>
    `keep ${versions.length} version(s) (${versions.map((v) => v.Version).join(', ')}) and their content, delete them`,
  async preserve(pool, p, versions, context) {
    const client = lambda(pool, p);
    const kept: ApplyDetail[] = [];
    for (const v of versions) {
      const number = v.Version!;
      const got = await client.send(
        new GetLayerVersionCommand({ LayerName: p.layerName, VersionNumber: number }),
      );
      const { $metadata: _m, ...description } = got;
      const policy = await readOrAbsent(() =>
        client.send(new GetLayerVersionPolicyCommand({ LayerName: p.layerName, VersionNumber: number })),
      );
      const location = got.Content?.Location;
      kept.push({
        version: number,
        codeSha256: got.Content?.CodeSha256,
        description: await context.keep(
          `version-${number}.json`,
          asJson(description),
          `lambda:GetLayerVersion ${p.region}`,
        ),
        content: location
          ? await context.keep(
              `version-${number}.zip`,
              await download(location),
              `lambda:GetLayerVersion Content.Location ${p.region}`,
            )
          : null,
        policy: policy?.Policy
          ? await context.keep(
              `version-${number}-policy.json`,
              policy.Policy,
              `lambda:GetLayerVersionPolicy ${p.region}`,
            )
          : null,
      });
    }
    return { versions: kept };
  },
  async remove(pool, p, versions) {
    for (const v of versions)
      await lambda(pool, p).send(
        new DeleteLayerVersionCommand({ LayerName: p.layerName, VersionNumber: v.Version }),
      );
    return { deleted: versions.map((v) => v.Version) };
  },
});

interface EnvironmentState {
  configuration: FunctionConfiguration;
  variables: Record<string, string>;
}

/** The values to put back: `prior` (JSON), names absent from it are removed. */
function priorOf(p: StepParams): Record<string, string> {
  return p.prior ? (JSON.parse(p.prior) as Record<string, string>) : {};
}

/**
 * Take out of an existing function's environment the variables the attacker added or changed:
 * each named variable is put back to its value before the attack (`prior`), or removed when it
 * did not exist then; every other variable stays as it is. The configuration is kept first.
 */
export const restoreFunctionEnvironment = restoration<EnvironmentState>({
  name: 'restore-function-environment',
  summary: "keep the configuration, then take the attacker's environment variables off a function that stays",
  irreversibleBecause: "the attacker's values are in the kept configuration; nothing puts them back",
  target: (p) => `${p.region ?? '?'}/${p.functionName ?? '?'}/environment`,
  async read(pool, p) {
    const out = await readOrAbsent(() =>
      lambda(pool, p).send(new GetFunctionConfigurationCommand({ FunctionName: p.functionName })),
    );
    if (!out) return undefined;
    const { $metadata: _m, ...configuration } = out;
    return { configuration, variables: out.Environment?.Variables ?? {} };
  },
  // Names only: the journal and the plan never carry a variable's value.
  summarize: (s) => ({ variables: Object.keys(s.variables).sort() }),
  restored(s, p) {
    const prior = priorOf(p);
    const names = listParam(p, 'names');
    // No names: nothing tells what to restore (`describe` refuses the step).
    return (
      names.length > 0 && names.every((n) => (n in prior ? s.variables[n] === prior[n] : !(n in s.variables)))
    );
  },
  describe(s, p) {
    const names = listParam(p, 'names');
    if (names.length === 0)
      return `cannot: which variables the attacker set is not known (CloudTrail does not record environment values); restore the environment of ${p.functionName ?? '?'} by hand`;
    const prior = priorOf(p);
    const removed = names.filter((n) => !(n in prior) && n in s.variables);
    const reset = names.filter((n) => n in prior && s.variables[n] !== prior[n]);
    return `keep the configuration${removed.length ? `, remove ${removed.join(', ')}` : ''}${reset.length ? `, put back ${reset.join(', ')}` : ''}`;
  },
  evidence: (s) => [{ file: 'configuration.json', content: asJson(s.configuration) }],
  async write(pool, p, s) {
    const prior = priorOf(p);
    const names = listParam(p, 'names');
    const next = Object.fromEntries(Object.entries(s.variables).filter(([k]) => !names.includes(k)));
    for (const n of names) if (n in prior) next[n] = prior[n]!;
    await lambda(pool, p).send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: p.functionName,
        Environment: { Variables: next },
      }),
    );
    return { removed: names.filter((n) => !(n in prior)), restored: names.filter((n) => n in prior) };
  },
});
