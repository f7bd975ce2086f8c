import { SimError } from '../../core/errors.js';
import type { BedrockState } from './model.js';
import { AGREEMENT_PROVIDERS, modelById, type BedrockModel } from './models.js';

/** Bedrock's answer to a model id it does not serve. */
export function invalidModel(): SimError {
  return new SimError('ValidationException', 'The provided model identifier is invalid.', 400);
}

/** The model a request names (path or body), or ValidationException. */
export function requireModel(id: string | undefined): BedrockModel {
  const model = id ? modelById(id) : undefined;
  if (!model) throw invalidModel();
  return model;
}

/** Whether the account may call a model in a region (no agreement needed, or one accepted). */
export function hasAccess(state: BedrockState, region: string, model: BedrockModel): boolean {
  return !AGREEMENT_PROVIDERS.has(model.provider) || state.agreements[region]?.[model.modelId] !== undefined;
}
