/** Where model invocation logs go (the `LoggingConfig` of the Bedrock API). */
export interface LoggingConfig {
  cloudWatchConfig?: { logGroupName: string; roleArn: string; largeDataDeliveryS3Config?: unknown };
  s3Config?: { bucketName: string; keyPrefix?: string };
  textDataDeliveryEnabled?: boolean;
  imageDataDeliveryEnabled?: boolean;
  embeddingDataDeliveryEnabled?: boolean;
  videoDataDeliveryEnabled?: boolean;
  audioDataDeliveryEnabled?: boolean;
}

/** One model call, with what it cost in tokens (the scenario's truth and the bill read these). */
export interface Invocation {
  at: string;
  region: string;
  modelId: string;
  operation: 'InvokeModel' | 'InvokeModelWithResponseStream' | 'Converse';
  inputTokens: number;
  outputTokens: number;
  accessKeyId: string;
  principalArn: string;
  sourceIp: string;
  requestId: string;
}

/** An account's Bedrock: use-case form, agreements per region, logging per region, the calls. */
export interface BedrockState {
  useCase?: { formData: string; submittedAt: string };
  /** region → model id → when its agreement was accepted. */
  agreements: Record<string, Record<string, string>>;
  /** region → model invocation logging configuration. */
  logging: Record<string, LoggingConfig>;
  invocations: Invocation[];
}

/** A fresh account: no agreements, no logging, no calls. */
export function emptyBedrock(): BedrockState {
  return { agreements: {}, logging: {}, invocations: [] };
}
