import {
  CancelSpotInstanceRequestsCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSpotInstanceRequestsCommand,
  EC2Client,
  type LaunchTemplate,
  type LaunchTemplateVersion,
  type SpotInstanceRequest,
} from '@aws-sdk/client-ec2';
import { collectAll } from '../../aws/paginate.js';
import type { ClientPool } from '../../aws/pool.js';
import type { StepParams } from '../action.js';
import { readOrAbsent } from '../iam-read.js';
import { asJson, removal } from './declare.js';

const ec2 = (pool: ClientPool, p: StepParams) => pool.get(EC2Client, p.region);

interface TemplateRecord {
  template: LaunchTemplate;
  versions: LaunchTemplateVersion[];
}

/**
 * Delete a launch template the attacker created, once the template and every version (with its
 * user data, decoded: what an instance launched from it would run) are kept.
 */
export const deleteLaunchTemplate = removal<TemplateRecord>({
  name: 'delete-launch-template',
  summary: 'keep every version and its user data, then delete a launch template the attacker created',
  irreversibleBecause: 'a deleted launch template can be re-created from the kept versions',
  target: (p) => `${p.region ?? '?'}/${p.launchTemplateId ?? '?'}`,
  async read(pool, p) {
    const client = ec2(pool, p);
    const out = await readOrAbsent(() =>
      client.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [p.launchTemplateId!] })),
    );
    const template = out?.LaunchTemplates?.[0];
    if (!template) return undefined;
    const start: { NextToken?: string } = {};
    const versions = await collectAll({
      send: (i: { NextToken?: string }) =>
        client.send(
          new DescribeLaunchTemplateVersionsCommand({
            LaunchTemplateId: p.launchTemplateId,
            NextToken: i.NextToken,
          }),
        ),
      input: start,
      inputToken: 'NextToken',
      nextToken: (page) => page.NextToken,
      items: (page) => page.LaunchTemplateVersions,
    });
    return { state: { template, versions }, created: template.CreateTime?.toISOString() };
  },
  // The plan (and so the journal) names the versions; their user data stays in the evidence.
  summarize: (t) => ({
    name: t.template.LaunchTemplateName,
    versions: t.versions.map((v) => ({
      version: v.VersionNumber,
      imageId: v.LaunchTemplateData?.ImageId,
      instanceType: v.LaunchTemplateData?.InstanceType,
      keyName: v.LaunchTemplateData?.KeyName,
      userData: v.LaunchTemplateData?.UserData !== undefined,
    })),
  }),
  describe: (t) =>
    `keep ${t.versions.length} version(s) and their user data, delete ${t.template.LaunchTemplateName ?? '?'}`,
  async preserve(_pool, p, t, context) {
    const source = `ec2:DescribeLaunchTemplateVersions ${p.region}`;
    const userData = [];
    for (const v of t.versions) {
      const encoded = v.LaunchTemplateData?.UserData;
      if (encoded)
        userData.push(
          await context.keep(`user-data-v${v.VersionNumber ?? 0}`, Buffer.from(encoded, 'base64'), source),
        );
    }
    return {
      template: await context.keep(
        'launch-template.json',
        asJson(t.template),
        `ec2:DescribeLaunchTemplates ${p.region}`,
      ),
      versions: await context.keep('versions.json', asJson(t.versions), source),
      userData,
    };
  },
  async remove(pool, p) {
    await readOrAbsent(() =>
      ec2(pool, p).send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: p.launchTemplateId })),
    );
  },
});

/** A request that no longer launches anything: cancelled, or closed when its instance ended. */
const ENDED = new Set(['cancelled', 'closed', 'failed']);

/** The spot request a step names, as DescribeSpotInstanceRequests shows it. */
export async function readSpotRequest(
  pool: ClientPool,
  p: StepParams,
): Promise<SpotInstanceRequest | undefined> {
  const out = await readOrAbsent(() =>
    ec2(pool, p).send(
      new DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [p.spotInstanceRequestId!] }),
    ),
  );
  return out?.SpotInstanceRequests?.[0];
}

/**
 * Cancel a spot request the attacker made, once the request (its launch specification, user data
 * included) is kept. Cancelling leaves its instance running, as in EC2: the plan terminates that
 * instance in a step of its own (snapshots first), after this one, so that a persistent request
 * cannot launch it again.
 */
export const cancelSpotRequest = removal<SpotInstanceRequest>({
  name: 'cancel-spot-request',
  summary: 'keep the request and its launch specification, then cancel a spot request the attacker made',
  irreversibleBecause:
    'a cancelled spot request cannot be reopened (the kept specification can make a new one)',
  target: (p) => `${p.region ?? '?'}/${p.spotInstanceRequestId ?? '?'}`,
  async read(pool, p) {
    const r = await readSpotRequest(pool, p);
    if (!r) return undefined;
    return { state: r, created: r.CreateTime?.toISOString(), gone: ENDED.has(r.State ?? '') };
  },
  summarize: (r) => ({
    state: r.State,
    type: r.Type,
    instanceId: r.InstanceId,
    instanceType: r.LaunchSpecification?.InstanceType,
    imageId: r.LaunchSpecification?.ImageId,
  }),
  describe: (r) =>
    `keep the request, cancel it (${r.Type ?? '?'}, ${r.State ?? '?'}${r.InstanceId ? `, instance ${r.InstanceId}` : ''})`,
  preserve: (_pool, p, r, context) =>
    context.keep('spot-request.json', asJson(r), `ec2:DescribeSpotInstanceRequests ${p.region}`),
  async remove(pool, p) {
    await ec2(pool, p).send(
      new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [p.spotInstanceRequestId!] }),
    );
  },
});
