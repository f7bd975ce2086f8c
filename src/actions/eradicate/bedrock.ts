import {
  BedrockClient,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';
import { asJson, restoration } from './declare.js';

/**
 * Put back the Bedrock model invocation logging the attacker deleted in a region: the
 * configuration the account last set before the attack (from Event history), written again. No
 * undo: Tourniquet never turns logging off.
 */
export const restoreBedrockLogging = restoration<{ loggingConfig: LoggingConfig | null }>({
  name: 'restore-bedrock-logging',
  summary: 'put back the model invocation logging configuration the attacker deleted',
  irreversibleBecause: 'Tourniquet never turns invocation logging off',
  target: (p) => `${p.region ?? '?'}/bedrock-invocation-logging`,
  async read(pool, p) {
    const out = await pool
      .get(BedrockClient, p.region)
      .send(new GetModelInvocationLoggingConfigurationCommand({}));
    return { loggingConfig: out.loggingConfig ?? null };
  },
  restored: (s) => s.loggingConfig !== null,
  describe: (_s, p) =>
    p.priorConfig
      ? `put back invocation logging as the account had it: ${destination(p.priorConfig)}`
      : 'cannot: no earlier logging configuration is in Event history; set one by hand (PutModelInvocationLoggingConfiguration)',
  evidence: (s) => [{ file: 'bedrock-logging.json', content: asJson(s) }],
  async write(pool, p) {
    const loggingConfig = JSON.parse(p.priorConfig ?? '{}') as LoggingConfig;
    await pool
      .get(BedrockClient, p.region)
      .send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig }));
    return { loggingConfig: destination(p.priorConfig ?? '{}') };
  },
});

/** Where a logging configuration sends the logs, in a few words. */
function destination(text: string): string {
  const c = JSON.parse(text) as LoggingConfig;
  const to = [
    c.s3Config?.bucketName ? `s3://${c.s3Config.bucketName}/${c.s3Config.keyPrefix ?? ''}` : '',
    c.cloudWatchConfig?.logGroupName ? `CloudWatch Logs ${c.cloudWatchConfig.logGroupName}` : '',
  ].filter(Boolean);
  return to.join(' and ') || 'no destination';
}
