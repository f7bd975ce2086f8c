import { parsePolicy } from '../../core/authz.js';
import { SimError } from '../../core/errors.js';
import { bodyString } from '../../core/params.js';
import { defineService, type OperationDef } from '../../core/service.js';
import {
  addVersion,
  emptySecrets,
  pickVersion,
  regionSecrets,
  resolveSecret,
  type Secret,
  type SecretsCtx,
  type SecretsState,
} from './model.js';

type Op = OperationDef<SecretsState>;

/** Authorize `action` on the secret, with its resource policy (cross-account reads need both sides). */
async function authorizeSecret(ctx: SecretsCtx, action: string, secretId: string): Promise<Secret> {
  const { secret, owner } = resolveSecret(ctx, secretId);
  await ctx.authorize(action, secret.arn, {
    resourceAccount: owner,
    ...(secret.policy ? { resourcePolicy: parsePolicy(secret.policy) } : {}),
  });
  ctx.trail.resources = [{ ARN: secret.arn, accountId: owner, type: 'AWS::SecretsManager::Secret' }];
  return secret;
}

function secretId(ctx: SecretsCtx): string {
  const id = bodyString(ctx.body.SecretId);
  if (!id)
    throw new SimError(
      'ValidationException',
      "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
      400,
    );
  return id;
}

function day(iso: string): string {
  return `${iso.slice(0, 10)}T00:00:00Z`;
}

function describe(s: Secret) {
  return {
    ARN: s.arn,
    Name: s.name,
    Description: s.description,
    KmsKeyId: s.kmsKeyId,
    RotationEnabled: s.rotationEnabled,
    RotationLambdaARN: s.rotationLambdaARN,
    RotationRules: s.rotationDays ? { AutomaticallyAfterDays: s.rotationDays } : undefined,
    LastRotatedDate: s.lastRotatedDate ? new Date(s.lastRotatedDate) : undefined,
    LastChangedDate: new Date(s.lastChangedDate),
    LastAccessedDate: s.lastAccessedDate ? new Date(s.lastAccessedDate) : undefined,
    DeletedDate: s.deletedDate ? new Date(s.deletedDate) : undefined,
    Tags: s.tags.length ? s.tags : undefined,
    CreatedDate: new Date(s.createdDate),
    VersionIdsToStages: Object.fromEntries(s.versions.map((v) => [v.versionId, v.stages])),
  };
}

function valueOf(ctx: SecretsCtx, s: Secret) {
  const v = pickVersion(
    s,
    bodyString(ctx.body.VersionId) || undefined,
    bodyString(ctx.body.VersionStage) || undefined,
  );
  s.lastAccessedDate = day(ctx.sim.nowIso());
  return {
    ARN: s.arn,
    Name: s.name,
    VersionId: v.versionId,
    SecretString: v.secretString,
    SecretBinary: v.secretBinary,
    VersionStages: v.stages,
    CreatedDate: new Date(v.createdDate),
  };
}

const operations: Record<string, Op> = {
  CreateSecret: {
    auth: 'handler',
    async handler(ctx) {
      const name = bodyString(ctx.body.Name);
      if (!/^[\w/+=.@-]{1,512}$/.test(name)) {
        throw new SimError(
          'ValidationException',
          `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!`,
          400,
        );
      }
      const secrets = regionSecrets(ctx.state, ctx.region);
      const arn = `arn:aws:secretsmanager:${ctx.region}:${ctx.caller.accountId}:secret:${name}-${ctx.sim.ids.token(6)}`;
      await ctx.authorize('secretsmanager:CreateSecret', arn);
      if (secrets[name])
        throw new SimError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
          400,
        );
      const now = ctx.sim.nowIso();
      const secret: Secret = {
        name,
        arn,
        description: bodyString(ctx.body.Description) || undefined,
        kmsKeyId: bodyString(ctx.body.KmsKeyId) || undefined,
        createdDate: now,
        lastChangedDate: now,
        rotationEnabled: false,
        versions: [],
        tags: Array.isArray(ctx.body.Tags) ? (ctx.body.Tags as Secret['tags']) : [],
      };
      const versionId = bodyString(ctx.body.ClientRequestToken) || ctx.sim.ids.uuid();
      if (ctx.body.SecretString !== undefined || ctx.body.SecretBinary !== undefined) {
        addVersion(secret, {
          versionId,
          secretString: ctx.body.SecretString === undefined ? undefined : bodyString(ctx.body.SecretString),
          secretBinary: ctx.body.SecretBinary === undefined ? undefined : bodyString(ctx.body.SecretBinary),
          createdDate: now,
        });
      }
      secrets[name] = secret;
      ctx.trail.resources = [
        { ARN: arn, accountId: ctx.caller.accountId, type: 'AWS::SecretsManager::Secret' },
      ];
      return { ARN: arn, Name: name, VersionId: secret.versions.length ? versionId : undefined };
    },
  },
  ListSecrets: {
    handler(ctx) {
      const list = Object.values(regionSecrets(ctx.state, ctx.region))
        .filter((s) => !s.deletedDate)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => {
          const d = describe(s);
          return { ...d, SecretVersionsToStages: d.VersionIdsToStages, VersionIdsToStages: undefined };
        });
      return { SecretList: list };
    },
  },
  DescribeSecret: {
    auth: 'handler',
    async handler(ctx) {
      return describe(await authorizeSecret(ctx, 'secretsmanager:DescribeSecret', secretId(ctx)));
    },
  },
  GetSecretValue: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:GetSecretValue', secretId(ctx));
      return valueOf(ctx, s);
    },
  },
  BatchGetSecretValue: {
    auth: 'handler',
    readOnly: true,
    async handler(ctx) {
      const ids = Array.isArray(ctx.body.SecretIdList) ? ctx.body.SecretIdList.map(bodyString) : [];
      const values = [];
      const errors = [];
      for (const id of ids) {
        const decision = await ctx.evaluate(
          'secretsmanager:GetSecretValue',
          id.startsWith('arn:') ? id : '*',
        );
        try {
          const s = resolveSecret(ctx, id).secret;
          if (!decision.allowed) throw new SimError('AccessDeniedException', 'Access denied', 400);
          values.push(valueOf(ctx, s));
        } catch (e) {
          if (!(e instanceof SimError)) throw e;
          errors.push({ SecretId: id, ErrorCode: e.code, Message: e.message });
        }
      }
      return { SecretValues: values, Errors: errors };
    },
  },
  PutSecretValue: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:PutSecretValue', secretId(ctx));
      const v = addVersion(s, {
        versionId: bodyString(ctx.body.ClientRequestToken) || ctx.sim.ids.uuid(),
        secretString: ctx.body.SecretString === undefined ? undefined : bodyString(ctx.body.SecretString),
        secretBinary: ctx.body.SecretBinary === undefined ? undefined : bodyString(ctx.body.SecretBinary),
        createdDate: ctx.sim.nowIso(),
      });
      return { ARN: s.arn, Name: s.name, VersionId: v.versionId, VersionStages: v.stages };
    },
  },
  UpdateSecret: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:UpdateSecret', secretId(ctx));
      if (ctx.body.Description !== undefined) s.description = bodyString(ctx.body.Description);
      if (ctx.body.KmsKeyId !== undefined) s.kmsKeyId = bodyString(ctx.body.KmsKeyId);
      s.lastChangedDate = ctx.sim.nowIso();
      let versionId: string | undefined;
      if (ctx.body.SecretString !== undefined || ctx.body.SecretBinary !== undefined) {
        versionId = addVersion(s, {
          versionId: bodyString(ctx.body.ClientRequestToken) || ctx.sim.ids.uuid(),
          secretString: ctx.body.SecretString === undefined ? undefined : bodyString(ctx.body.SecretString),
          secretBinary: ctx.body.SecretBinary === undefined ? undefined : bodyString(ctx.body.SecretBinary),
          createdDate: ctx.sim.nowIso(),
        }).versionId;
      }
      return { ARN: s.arn, Name: s.name, VersionId: versionId };
    },
  },
  RotateSecret: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:RotateSecret', secretId(ctx));
      const lambda = bodyString(ctx.body.RotationLambdaARN);
      if (lambda) s.rotationLambdaARN = lambda;
      const rules = ctx.body.RotationRules as { AutomaticallyAfterDays?: number } | undefined;
      if (rules?.AutomaticallyAfterDays) s.rotationDays = rules.AutomaticallyAfterDays;
      s.rotationEnabled = true;
      // The simulator has no rotation function to run: rotation completes at once with a new
      // random value, leaving the old one as AWSPREVIOUS (what a successful rotation leaves).
      const v = addVersion(s, {
        versionId: bodyString(ctx.body.ClientRequestToken) || ctx.sim.ids.uuid(),
        secretString: `rotated-${ctx.sim.ids.token(24)}`,
        createdDate: ctx.sim.nowIso(),
      });
      s.lastRotatedDate = ctx.sim.nowIso();
      return { ARN: s.arn, Name: s.name, VersionId: v.versionId };
    },
  },
  DeleteSecret: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:DeleteSecret', secretId(ctx));
      const force = ctx.body.ForceDeleteWithoutRecovery === true;
      const days = typeof ctx.body.RecoveryWindowInDays === 'number' ? ctx.body.RecoveryWindowInDays : 30;
      const deletion = new Date(ctx.now.getTime() + (force ? 0 : days * 86_400_000));
      if (force) delete regionSecrets(ctx.stateOf(s.arn.split(':')[4]!), ctx.region)[s.name];
      else s.deletedDate = ctx.sim.nowIso();
      return { ARN: s.arn, Name: s.name, DeletionDate: deletion };
    },
  },
  GetResourcePolicy: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:GetResourcePolicy', secretId(ctx));
      return { ARN: s.arn, Name: s.name, ResourcePolicy: s.policy };
    },
  },
  PutResourcePolicy: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:PutResourcePolicy', secretId(ctx));
      const policy = bodyString(ctx.body.ResourcePolicy);
      try {
        JSON.parse(policy);
      } catch {
        throw new SimError(
          'MalformedPolicyDocumentException',
          'This resource policy contains an unsupported JSON format.',
          400,
        );
      }
      s.policy = policy;
      return { ARN: s.arn, Name: s.name };
    },
  },
  DeleteResourcePolicy: {
    auth: 'handler',
    async handler(ctx) {
      const s = await authorizeSecret(ctx, 'secretsmanager:DeleteResourcePolicy', secretId(ctx));
      s.policy = undefined;
      return { ARN: s.arn, Name: s.name };
    },
  },
};

/** Secrets Manager (awsJson1.1, API 2017-10-17): secrets per region with versions and policies. */
export const secretsManagerService = defineService<SecretsState>({
  signingName: 'secretsmanager',
  protocol: 'json',
  targetPrefix: 'secretsmanager',
  eventSource: 'secretsmanager.amazonaws.com',
  apiVersion: '2017-10-17',
  endpointHost: (region) => `secretsmanager.${region}.amazonaws.com`,
  initState: emptySecrets,
  operations,
});
