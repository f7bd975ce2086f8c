import { SimError } from '../../core/errors.js';
import { respond } from '../../core/http.js';
import { defineService, type OpContext, type OperationDef } from '../../core/service.js';
import type { SimState } from '../../state.js';
import { hasAccess, invalidModel, requireModel } from './access.js';
import { emptyBedrock, type BedrockState, type LoggingConfig } from './model.js';
import { BEDROCK_REGIONS, bedrockModels, foundationModelArn, type BedrockModel } from './models.js';
import { runtimeOperations } from './runtime.js';

type Ctx = OpContext<BedrockState>;

function summary(region: string, m: BedrockModel) {
  return {
    modelArn: foundationModelArn(region, m.modelId),
    modelId: m.modelId,
    modelName: m.name,
    providerName: m.provider,
    inputModalities: ['TEXT'],
    outputModalities: ['TEXT'],
    responseStreamingSupported: true,
    customizationsSupported: [],
    inferenceTypesSupported: ['ON_DEMAND'],
    modelLifecycle: { status: 'ACTIVE' },
  };
}

const MODALITIES = new Set(['TEXT', 'IMAGE', 'EMBEDDING']);
const INFERENCE = new Set(['ON_DEMAND', 'PROVISIONED']);
const CUSTOMIZATION = new Set(['FINE_TUNING', 'CONTINUED_PRE_TRAINING', 'DISTILLATION']);

function enumParam(ctx: Ctx, name: string, allowed: Set<string>): string | undefined {
  const value = ctx.params.get(name);
  if (value !== undefined && !allowed.has(value)) {
    throw new SimError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [${[...allowed].join(', ')}]`,
      400,
    );
  }
  return value;
}

/** The offer token of a model's public offer (stable: a function of the model id). */
function offerToken(modelId: string): string {
  return Buffer.from(`offer:${modelId}`).toString('base64url');
}

function validLogging(ctx: Ctx, config: unknown): LoggingConfig {
  if (!config || typeof config !== 'object') {
    throw new SimError(
      'ValidationException',
      "1 validation error detected: Value null at 'loggingConfig' failed to satisfy constraint: Member must not be null",
      400,
    );
  }
  const c = config as LoggingConfig;
  if (!c.s3Config && !c.cloudWatchConfig) {
    throw new SimError(
      'ValidationException',
      'At least one destination (cloudWatchConfig or s3Config) must be configured.',
      400,
    );
  }
  const bucket = c.s3Config?.bucketName;
  if (bucket !== undefined && ctx.sim.objectStore?.bucketOwner(bucket) !== ctx.caller.accountId) {
    throw new SimError('ValidationException', `Failed to validate permissions for S3 bucket ${bucket}.`, 400);
  }
  return c;
}

const controlOperations: Record<string, OperationDef<BedrockState>> = {
  ListFoundationModels: {
    http: 'GET /foundation-models',
    handler(ctx) {
      const provider = ctx.params.get('byProvider');
      if (provider !== undefined && !/^[A-Za-z0-9- ]{1,63}$/.test(provider)) {
        throw new SimError(
          'ValidationException',
          `1 validation error detected: Value '${provider}' at 'byProvider' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9- ]{1,63}`,
          400,
        );
      }
      const modality = enumParam(ctx, 'byOutputModality', MODALITIES);
      const inference = enumParam(ctx, 'byInferenceType', INFERENCE);
      const customization = enumParam(ctx, 'byCustomizationType', CUSTOMIZATION);
      const served = BEDROCK_REGIONS.includes(ctx.region) ? bedrockModels() : [];
      const models = served.filter(
        (m) =>
          (provider === undefined || m.provider.toLowerCase() === provider.toLowerCase()) &&
          (modality === undefined || modality === 'TEXT') &&
          (inference === undefined || inference === 'ON_DEMAND') &&
          customization === undefined,
      );
      return { modelSummaries: models.map((m) => summary(ctx.region, m)) };
    },
  },
  GetFoundationModel: {
    http: 'GET /foundation-models/{modelIdentifier}',
    handler(ctx) {
      const m = requireModel(ctx.pathParams.modelIdentifier);
      return { modelDetails: summary(ctx.region, m) };
    },
  },
  GetFoundationModelAvailability: {
    http: 'GET /foundation-model-availability/{modelId}',
    handler(ctx) {
      const m = requireModel(ctx.pathParams.modelId);
      const inRegion = BEDROCK_REGIONS.includes(ctx.region);
      const agreed = ctx.state.agreements[ctx.region]?.[m.modelId] !== undefined;
      return {
        modelId: m.modelId,
        agreementAvailability: { status: agreed ? 'AVAILABLE' : 'NOT_AVAILABLE' },
        authorizationStatus:
          inRegion && hasAccess(ctx.state, ctx.region, m) ? 'AUTHORIZED' : 'NOT_AUTHORIZED',
        entitlementAvailability: inRegion ? 'AVAILABLE' : 'NOT_AVAILABLE',
        regionAvailability: inRegion ? 'AVAILABLE' : 'NOT_AVAILABLE',
      };
    },
  },
  ListFoundationModelAgreementOffers: {
    http: 'GET /list-foundation-model-agreement-offers/{modelId}',
    handler(ctx) {
      const m = requireModel(ctx.pathParams.modelId);
      return {
        modelId: m.modelId,
        offers: [
          {
            offerId: `offer-${m.modelId.split(':')[0]!.replace(/[^a-z0-9]/g, '')}`.slice(0, 40),
            offerToken: offerToken(m.modelId),
            termDetails: {
              usageBasedPricingTerm: {
                rateCard: [
                  { dimension: 'input tokens', price: String(m.usdPer1kInput), unit: '1K tokens' },
                  { dimension: 'output tokens', price: String(m.usdPer1kOutput), unit: '1K tokens' },
                ],
              },
              legalTerm: { url: 'https://aws.amazon.com/legal/bedrock/third-party-models/' },
              supportTerm: { refundPolicyDescription: 'No refunds.' },
            },
          },
        ],
      };
    },
  },
  CreateFoundationModelAgreement: {
    http: 'POST /create-foundation-model-agreement',
    handler(ctx) {
      const m = requireModel(typeof ctx.body.modelId === 'string' ? ctx.body.modelId : undefined);
      if (ctx.body.offerToken !== offerToken(m.modelId)) {
        throw new SimError('ValidationException', 'The provided offer token is invalid for this model.', 400);
      }
      if (!BEDROCK_REGIONS.includes(ctx.region)) throw invalidModel();
      (ctx.state.agreements[ctx.region] ??= {})[m.modelId] = ctx.sim.nowIso();
      ctx.trail.requestParameters = { modelId: m.modelId };
      return respond({ status: 202, body: { modelId: m.modelId } });
    },
  },
  DeleteFoundationModelAgreement: {
    http: 'POST /delete-foundation-model-agreement',
    handler(ctx) {
      const m = requireModel(typeof ctx.body.modelId === 'string' ? ctx.body.modelId : undefined);
      const agreements = ctx.state.agreements[ctx.region];
      if (!agreements?.[m.modelId]) {
        throw new SimError('ResourceNotFoundException', `No agreement found for model ${m.modelId}.`, 404);
      }
      delete agreements[m.modelId];
      return respond({ status: 202, body: {} });
    },
  },
  PutUseCaseForModelAccess: {
    http: 'POST /use-case-for-model-access',
    handler(ctx) {
      const form = ctx.body.formData;
      const bytes = typeof form === 'string' ? Buffer.from(form, 'base64').length : 0;
      if (bytes < 10 || bytes > 16384) {
        throw new SimError(
          'ValidationException',
          "1 validation error detected: Value at 'formData' failed to satisfy constraint: Member must have length between 10 and 16384",
          400,
        );
      }
      ctx.state.useCase = { formData: String(form), submittedAt: ctx.sim.nowIso() };
      ctx.trail.requestParameters = null;
      return respond({ status: 201, body: {} });
    },
  },
  GetUseCaseForModelAccess: {
    http: 'GET /use-case-for-model-access',
    handler(ctx) {
      if (!ctx.state.useCase) {
        throw new SimError(
          'ResourceNotFoundException',
          'No use case has been submitted for this account.',
          404,
        );
      }
      return { formData: ctx.state.useCase.formData };
    },
  },
  GetModelInvocationLoggingConfiguration: {
    http: 'GET /logging/modelinvocations',
    handler(ctx) {
      const config = ctx.state.logging[ctx.region];
      return config ? { loggingConfig: config } : {};
    },
  },
  PutModelInvocationLoggingConfiguration: {
    http: 'PUT /logging/modelinvocations',
    handler(ctx) {
      ctx.state.logging[ctx.region] = validLogging(ctx, ctx.body.loggingConfig);
      return {};
    },
  },
  DeleteModelInvocationLoggingConfiguration: {
    http: 'DELETE /logging/modelinvocations',
    handler(ctx) {
      delete ctx.state.logging[ctx.region];
      return {};
    },
  },
};

/**
 * Amazon Bedrock and Bedrock Runtime: one simulated service, since both sign as `bedrock`, use the
 * `bedrock:` actions and record `bedrock.amazonaws.com` in CloudTrail; runtime calls name their own
 * host (`bedrock-runtime.<region>.amazonaws.com`) in tlsDetails, as AWS's example record shows.
 */
export const bedrockService = defineService<BedrockState>({
  signingName: 'bedrock',
  protocol: 'restJson',
  eventSource: 'bedrock.amazonaws.com',
  apiVersion: '2023-04-20',
  endpointHost: (region) => `bedrock.${region}.amazonaws.com`,
  initState: emptyBedrock,
  operations: { ...controlOperations, ...runtimeOperations },
});

/** An account's Bedrock state as it is, without creating it (truth, clean checks and tests read it). */
export function bedrockState(sim: SimState, accountId: string): BedrockState {
  return (sim.account(accountId)?.services.bedrock as BedrockState | undefined) ?? emptyBedrock();
}
