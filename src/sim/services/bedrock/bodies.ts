import { SimError } from '../../core/errors.js';
import { answerText, answerTokens, tokensOf, type BedrockModel } from './models.js';

/** What a model call asks for, read from the provider's own body format. */
export interface Prompt {
  text: string;
  maxTokens: number;
}

/** A model's answer: tokens in and out, and the text. */
export interface Answer {
  inputTokens: number;
  outputTokens: number;
  text: string;
  stopReason: 'end_turn' | 'max_tokens';
}

function malformed(detail: string): SimError {
  return new SimError(
    'ValidationException',
    `Malformed input request: ${detail}, please reformat your input and try again.`,
    400,
  );
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((c) => (c && typeof c === 'object' && 'text' in c ? String((c as { text: unknown }).text) : ''))
    .join('\n');
}

function positiveInt(value: unknown, key: string): number {
  if (value === undefined) throw malformed(`#: required key [${key}] not found`);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw malformed(`#/${key}: expected type: Integer, found: ${typeof value}`);
  }
  if (value < 1) throw malformed(`#/${key}: ${value} is not greater or equal to 1`);
  return value;
}

/** The prompt of an InvokeModel body in the provider's format (Anthropic Messages, Meta, Mistral, Titan). */
export function promptOf(model: BedrockModel, body: Record<string, unknown>): Prompt {
  switch (model.provider) {
    case 'Anthropic': {
      if (body.anthropic_version === undefined)
        throw malformed('#: required key [anthropic_version] not found');
      const maxTokens = positiveInt(body.max_tokens, 'max_tokens');
      if (!Array.isArray(body.messages) || body.messages.length === 0) {
        throw malformed('#: required key [messages] not found');
      }
      const messages = body.messages as { content?: unknown }[];
      return { text: [textOf(body.system), ...messages.map((m) => textOf(m.content))].join('\n'), maxTokens };
    }
    case 'Meta':
    case 'Mistral AI': {
      if (typeof body.prompt !== 'string') throw malformed('#: required key [prompt] not found');
      const key = model.provider === 'Meta' ? 'max_gen_len' : 'max_tokens';
      const maxTokens = body[key] === undefined ? 512 : positiveInt(body[key], key);
      return { text: body.prompt, maxTokens };
    }
    default: {
      if (typeof body.inputText !== 'string') throw malformed('#: required key [inputText] not found');
      const config = (body.textGenerationConfig ?? {}) as Record<string, unknown>;
      const maxTokens =
        config.maxTokenCount === undefined ? 512 : positiveInt(config.maxTokenCount, 'maxTokenCount');
      return { text: body.inputText, maxTokens };
    }
  }
}

/** Run the simulated model: tokens counted from the prompt, an answer of a stable length. */
export function answer(model: BedrockModel, prompt: Prompt): Answer {
  if (prompt.maxTokens > model.maxOutputTokens) {
    throw new SimError(
      'ValidationException',
      `The maximum tokens you requested exceeds the model limit of ${model.maxOutputTokens}. Try again with a maximum tokens value that is lower than ${model.maxOutputTokens}.`,
      400,
    );
  }
  const inputTokens = tokensOf(prompt.text);
  if (inputTokens + prompt.maxTokens > model.contextTokens) {
    throw new SimError('ValidationException', 'Input is too long for requested model.', 400);
  }
  const outputTokens = answerTokens(prompt.text, prompt.maxTokens);
  return {
    inputTokens,
    outputTokens,
    text: answerText(outputTokens),
    stopReason: outputTokens === prompt.maxTokens ? 'max_tokens' : 'end_turn',
  };
}

/** The InvokeModel answer body in the provider's format. */
export function responseBody(model: BedrockModel, a: Answer, id: string): Record<string, unknown> {
  switch (model.provider) {
    case 'Anthropic':
      return {
        id: `msg_bdrk_${id}`,
        type: 'message',
        role: 'assistant',
        model: model.modelId.replace(/^anthropic\./, '').replace(/-v\d+:\d+$/, ''),
        content: [{ type: 'text', text: a.text }],
        stop_reason: a.stopReason,
        stop_sequence: null,
        usage: { input_tokens: a.inputTokens, output_tokens: a.outputTokens },
      };
    case 'Meta':
      return {
        generation: a.text,
        prompt_token_count: a.inputTokens,
        generation_token_count: a.outputTokens,
        stop_reason: a.stopReason === 'max_tokens' ? 'length' : 'stop',
      };
    case 'Mistral AI':
      return { outputs: [{ text: a.text, stop_reason: a.stopReason === 'max_tokens' ? 'length' : 'stop' }] };
    default:
      return {
        inputTextTokenCount: a.inputTokens,
        results: [
          {
            tokenCount: a.outputTokens,
            outputText: a.text,
            completionReason: a.stopReason === 'max_tokens' ? 'LENGTH' : 'FINISH',
          },
        ],
      };
  }
}

/** The prompt of a Converse request (messages and system blocks, inferenceConfig.maxTokens). */
export function conversePrompt(model: BedrockModel, body: Record<string, unknown>): Prompt {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new SimError(
      'ValidationException',
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
      400,
    );
  }
  const first = messages[0] as { role?: unknown };
  if (first.role !== 'user') {
    throw new SimError(
      'ValidationException',
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
      400,
    );
  }
  const config = (body.inferenceConfig ?? {}) as Record<string, unknown>;
  const maxTokens =
    config.maxTokens === undefined ? Math.min(model.maxOutputTokens, 4096) : Number(config.maxTokens);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new SimError(
      'ValidationException',
      "1 validation error detected: Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
      400,
    );
  }
  const text = [
    textOf(body.system),
    ...(messages as { content?: unknown }[]).map((m) => textOf(m.content)),
  ].join('\n');
  return { text, maxTokens };
}
