import { userIdentityOf } from '../../cloudtrail/record.js';
import { storeRecord } from '../../cloudtrail/store.js';
import { SimError } from '../../core/errors.js';
import type { OpContext } from '../../core/service.js';
import type { Ec2AccountState, Ec2Deps, Ec2State } from '../ec2/model.js';
import { changeInstanceStates, runInstances } from '../ec2/instances.js';
import { authorizeSecurityGroup, createSecurityGroup, deleteSecurityGroup } from '../ec2/security-groups.js';
import { attachPolicy, createAccessKey, createUser } from '../iam/entities.js';
import type { IamRole } from '../iam/model.js';
import { createBucket, deleteBucket } from '../s3/buckets.js';
import { emptyS3Account, type S3World } from '../s3/model.js';
import { regionOf, sha256Base64, type LambdaFunction, type LambdaState } from '../lambda/model.js';
import { zipOneFile } from '../lambda/zip.js';
import { ALERT_RESOURCE_TYPES } from './resources-alerts.js';

/** A resource a stack created. */
export interface StackResource {
  logicalId: string;
  type: string;
  physicalId: string;
  attributes: Record<string, string>;
  region: string;
  createdAt: string;
}

export type CfnCtx = OpContext<unknown>;

/** How one resource type is created and deleted through the other services' state. */
export interface ResourceType {
  /** IAM action checked on the caller before CloudFormation creates it on the caller's behalf. */
  action: string;
  create(
    ctx: CfnCtx,
    props: Record<string, unknown>,
    logicalId: string,
    stackName: string,
  ): Omit<StackResource, 'logicalId' | 'type' | 'region' | 'createdAt'>;
  remove(ctx: CfnCtx, r: StackResource): void;
}

function ec2World(ctx: CfnCtx): { world: Ec2State; deps: Ec2Deps } {
  const world: Ec2State = {
    accounts: Object.fromEntries(
      ctx.sim.accounts().map((a) => [
        a.accountId,
        ctx.sim.serviceState<Ec2AccountState>(a.accountId, 'ec2', () => ({
          optedInRegions: [],
          regions: {},
        })),
      ]),
    ),
  };
  return { world, deps: { now: () => ctx.now, hex: (n) => ctx.sim.ids.hex(n) } };
}

function s3World(ctx: CfnCtx): S3World {
  return {
    accounts: Object.fromEntries(
      ctx.sim.accounts().map((a) => [a.accountId, ctx.sim.serviceState(a.accountId, 's3', emptyS3Account)]),
    ),
  };
}

/** A scalar property as text (objects and arrays are not scalars: undefined). */
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const tagsOf = (v: unknown) =>
  Array.isArray(v)
    ? (v as { Key: string; Value: string }[]).map((t) => ({ key: String(t.Key), value: String(t.Value) }))
    : [];

/**
 * The underlying call CloudFormation makes for the caller, as CloudTrail records it: the caller's
 * identity, `invokedBy` and source `cloudformation.amazonaws.com` (CloudTrail UG, userIdentity
 * "invokedBy").
 */
export function recordOnBehalf(
  ctx: CfnCtx,
  source: string,
  eventName: string,
  region: string,
  requestParameters: unknown,
  responseElements: unknown,
): void {
  storeRecord(ctx.sim, {
    eventVersion: '1.11',
    userIdentity: { ...userIdentityOf(ctx.sim, ctx.caller), invokedBy: 'cloudformation.amazonaws.com' },
    eventTime: ctx.sim.nowIso(),
    eventSource: source,
    eventName,
    awsRegion: source === 'iam.amazonaws.com' ? 'us-east-1' : region,
    sourceIPAddress: 'cloudformation.amazonaws.com',
    userAgent: 'cloudformation.amazonaws.com',
    requestParameters,
    responseElements,
    requestID: ctx.sim.ids.uuid(),
    eventID: ctx.sim.ids.uuid(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ctx.caller.accountId,
    eventCategory: 'Management',
  });
}

const DOC = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The resource types stacks can hold, declared. */
export const RESOURCE_TYPES: Record<string, ResourceType> = {
  'AWS::EC2::SecurityGroup': {
    action: 'ec2:CreateSecurityGroup',
    create(ctx, p, logicalId, stackName) {
      const { world, deps } = ec2World(ctx);
      const name = str(p.GroupName) ?? `${stackName}-${logicalId}-${ctx.sim.ids.token(12).toUpperCase()}`;
      const out = createSecurityGroup(world, deps, ctx.caller.accountId, ctx.region, {
        groupName: name,
        description: str(p.GroupDescription) ?? name,
        tags: tagsOf(p.Tags),
      });
      const groupId = str(out.groupId) ?? '';
      const ingress = Array.isArray(p.SecurityGroupIngress)
        ? (p.SecurityGroupIngress as Record<string, unknown>[])
        : [];
      if (ingress.length) {
        authorizeSecurityGroup(world, deps, ctx.caller.accountId, ctx.region, {
          groupId,
          isEgress: false,
          permissions: ingress.map((r) => ({
            ipProtocol: str(r.IpProtocol),
            fromPort: r.FromPort === undefined ? undefined : Number(r.FromPort),
            toPort: r.ToPort === undefined ? undefined : Number(r.ToPort),
            ipRanges: str(r.CidrIp) ? [{ cidrIp: str(r.CidrIp)! }] : [],
          })),
        });
      }
      recordOnBehalf(
        ctx,
        'ec2.amazonaws.com',
        'CreateSecurityGroup',
        ctx.region,
        { groupName: name, groupDescription: str(p.GroupDescription) },
        { groupId },
      );
      return { physicalId: groupId, attributes: { GroupId: groupId } };
    },
    remove(ctx, r) {
      const { world, deps } = ec2World(ctx);
      deleteSecurityGroup(world, deps, ctx.caller.accountId, r.region, { groupId: r.physicalId });
    },
  },
  'AWS::EC2::Instance': {
    action: 'ec2:RunInstances',
    create(ctx, p) {
      const { world, deps } = ec2World(ctx);
      const out = runInstances(world, deps, ctx.caller.accountId, ctx.region, {
        imageId: str(p.ImageId),
        instanceType: str(p.InstanceType),
        minCount: 1,
        maxCount: 1,
        keyName: str(p.KeyName),
        userData: str(p.UserData),
        securityGroupIds: Array.isArray(p.SecurityGroupIds) ? p.SecurityGroupIds.map(String) : undefined,
        tagSpecifications: p.Tags ? [{ resourceType: 'instance', tags: tagsOf(p.Tags) }] : undefined,
      });
      const item = (out.instancesSet as Record<string, unknown>[])[0]!;
      const id = str(item.instanceId) ?? '';
      const launchTime = ctx.now.getTime();
      recordOnBehalf(
        ctx,
        'ec2.amazonaws.com',
        'RunInstances',
        ctx.region,
        { instanceType: str(p.InstanceType), imageId: str(p.ImageId) },
        {
          instancesSet: {
            items: [
              {
                instanceId: id,
                instanceType: str(p.InstanceType) ?? 'm1.small',
                imageId: str(p.ImageId),
                launchTime,
              },
            ],
          },
        },
      );
      return {
        physicalId: id,
        attributes: {
          PublicIp: str(item.ipAddress) ?? '',
          PrivateIp: str(item.privateIpAddress) ?? '',
        },
      };
    },
    remove(ctx, r) {
      const { world, deps } = ec2World(ctx);
      changeInstanceStates(world, deps, ctx.caller.accountId, r.region, 'terminate', [r.physicalId]);
      recordOnBehalf(
        ctx,
        'ec2.amazonaws.com',
        'TerminateInstances',
        r.region,
        { instancesSet: { items: [{ instanceId: r.physicalId }] } },
        null,
      );
    },
  },
  'AWS::IAM::User': {
    action: 'iam:CreateUser',
    create(ctx, p, logicalId, stackName) {
      const name = str(p.UserName) ?? `${stackName}-${logicalId}-${ctx.sim.ids.token(12).toUpperCase()}`;
      const user = createUser(ctx.sim, ctx.account, name);
      for (const arn of Array.isArray(p.ManagedPolicyArns) ? p.ManagedPolicyArns.map(String) : [])
        attachPolicy(ctx.account, user, arn);
      for (const pol of Array.isArray(p.Policies) ? (p.Policies as Record<string, unknown>[]) : [])
        user.inlinePolicies[String(pol.PolicyName)] = DOC(pol.PolicyDocument);
      recordOnBehalf(
        ctx,
        'iam.amazonaws.com',
        'CreateUser',
        ctx.region,
        { userName: name },
        { user: { userName: name, userId: user.userId, arn: user.arn } },
      );
      return { physicalId: name, attributes: { Arn: user.arn } };
    },
    remove(ctx, r) {
      for (const k of Object.values(ctx.account.iam.accessKeys))
        if (k.userName === r.physicalId) delete ctx.account.iam.accessKeys[k.accessKeyId];
      delete ctx.account.iam.users[r.physicalId];
    },
  },
  'AWS::IAM::AccessKey': {
    action: 'iam:CreateAccessKey',
    create(ctx, p) {
      const key = createAccessKey(ctx.sim, ctx.account, str(p.UserName));
      recordOnBehalf(
        ctx,
        'iam.amazonaws.com',
        'CreateAccessKey',
        ctx.region,
        { userName: key.userName },
        { accessKey: { accessKeyId: key.accessKeyId, status: 'Active', userName: key.userName } },
      );
      return { physicalId: key.accessKeyId, attributes: { SecretAccessKey: key.secretAccessKey } };
    },
    remove(ctx, r) {
      delete ctx.account.iam.accessKeys[r.physicalId];
    },
  },
  'AWS::IAM::Role': {
    action: 'iam:CreateRole',
    create(ctx, p, logicalId, stackName) {
      const name = str(p.RoleName) ?? `${stackName}-${logicalId}-${ctx.sim.ids.token(12).toUpperCase()}`;
      if (ctx.account.iam.roles[name])
        throw new SimError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
      const role: IamRole = {
        roleName: name,
        roleId: ctx.sim.ids.uniqueId('AROA'),
        arn: `arn:aws:iam::${ctx.caller.accountId}:role/${name}`,
        path: '/',
        createDate: ctx.sim.nowIso(),
        assumeRolePolicyDocument: DOC(p.AssumeRolePolicyDocument),
        description: str(p.Description),
        maxSessionDuration: Number(p.MaxSessionDuration ?? 3600),
        tags: Array.isArray(p.Tags) ? (p.Tags as IamRole['tags']) : [],
        inlinePolicies: {},
        attachedPolicies: [],
      };
      for (const arn of Array.isArray(p.ManagedPolicyArns) ? p.ManagedPolicyArns.map(String) : [])
        attachPolicy(ctx.account, role, arn);
      for (const pol of Array.isArray(p.Policies) ? (p.Policies as Record<string, unknown>[]) : [])
        role.inlinePolicies[String(pol.PolicyName)] = DOC(pol.PolicyDocument);
      ctx.account.iam.roles[name] = role;
      recordOnBehalf(
        ctx,
        'iam.amazonaws.com',
        'CreateRole',
        ctx.region,
        { roleName: name, assumeRolePolicyDocument: role.assumeRolePolicyDocument },
        { role: { roleName: name, roleId: role.roleId, arn: role.arn } },
      );
      return { physicalId: name, attributes: { Arn: role.arn, RoleId: role.roleId } };
    },
    remove(ctx, r) {
      delete ctx.account.iam.roles[r.physicalId];
    },
  },
  'AWS::S3::Bucket': {
    action: 's3:CreateBucket',
    create(ctx, p, logicalId, stackName) {
      const name =
        str(p.BucketName) ??
        `${stackName}-${logicalId}-${ctx.sim.ids.token(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}`.toLowerCase();
      createBucket(s3World(ctx), { now: () => ctx.now }, ctx.caller.accountId, ctx.region, {
        bucket: name,
        ...(ctx.region === 'us-east-1' ? {} : { locationConstraint: ctx.region }),
      });
      recordOnBehalf(ctx, 's3.amazonaws.com', 'CreateBucket', ctx.region, { bucketName: name }, null);
      return {
        physicalId: name,
        attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` },
      };
    },
    remove(ctx, r) {
      deleteBucket(s3World(ctx), r.physicalId);
    },
  },
  'AWS::Lambda::Function': {
    action: 'lambda:CreateFunction',
    create(ctx, p, logicalId, stackName) {
      const name = str(p.FunctionName) ?? `${stackName}-${logicalId}-${ctx.sim.ids.token(12)}`;
      const runtime = str(p.Runtime) ?? 'python3.12';
      const code = (p.Code ?? {}) as { ZipFile?: unknown };
      // Inline code (Code.ZipFile) is source text; CloudFormation zips it as index.<ext>.
      const zip = zipOneFile(runtime.startsWith('node') ? 'index.js' : 'index.py', str(code.ZipFile) ?? '');
      const functions = regionOf(
        ctx.sim.serviceState<LambdaState>(ctx.caller.accountId, 'lambda', () => ({ regions: {} })),
        ctx.region,
      ).functions;
      if (functions[name])
        throw new SimError('ResourceConflictException', `Function already exist: ${name}`, 409);
      const fn: LambdaFunction = {
        name,
        arn: `arn:aws:lambda:${ctx.region}:${ctx.caller.accountId}:function:${name}`,
        runtime,
        role: str(p.Role) ?? '',
        handler: str(p.Handler) ?? 'index.handler',
        description: str(p.Description) ?? '',
        timeout: Number(p.Timeout ?? 3),
        memorySize: Number(p.MemorySize ?? 128),
        environment: (p.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {},
        layers: [],
        codeZip: zip.toString('base64'),
        codeSha256: sha256Base64(zip),
        codeSize: zip.length,
        lastModified: ctx.sim.nowIso(),
        revisionId: ctx.sim.ids.uuid(),
        version: 0,
        policy: [],
        tags: {},
        downloads: {},
      };
      functions[name] = fn;
      recordOnBehalf(
        ctx,
        'lambda.amazonaws.com',
        'CreateFunction20150331',
        ctx.region,
        { functionName: name, runtime, role: fn.role, handler: fn.handler, code: {} },
        { functionName: name, functionArn: fn.arn },
      );
      return { physicalId: name, attributes: { Arn: fn.arn } };
    },
    remove(ctx, r) {
      delete regionOf(
        ctx.sim.serviceState<LambdaState>(ctx.caller.accountId, 'lambda', () => ({ regions: {} })),
        r.region,
      ).functions[r.physicalId];
    },
  },
  ...ALERT_RESOURCE_TYPES,
};
