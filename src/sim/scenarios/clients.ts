import * as bedrock from '@aws-sdk/client-bedrock';
import * as bedrockRuntime from '@aws-sdk/client-bedrock-runtime';
import * as ce from '@aws-sdk/client-cost-explorer';
import * as cloudformation from '@aws-sdk/client-cloudformation';
import * as cloudtrail from '@aws-sdk/client-cloudtrail';
import * as ec2 from '@aws-sdk/client-ec2';
import * as events from '@aws-sdk/client-eventbridge';
import * as guardduty from '@aws-sdk/client-guardduty';
import * as iam from '@aws-sdk/client-iam';
import * as kms from '@aws-sdk/client-kms';
import * as lambda from '@aws-sdk/client-lambda';
import * as rds from '@aws-sdk/client-rds';
import * as s3 from '@aws-sdk/client-s3';
import * as secretsmanager from '@aws-sdk/client-secrets-manager';
import * as ses from '@aws-sdk/client-ses';
import * as sesv2 from '@aws-sdk/client-sesv2';
import * as sns from '@aws-sdk/client-sns';
import * as ssm from '@aws-sdk/client-ssm';
import * as sts from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Credentials, ServiceName } from './types.js';

/** A client as the engine uses it: `send(command)`, and its middleware stack for the user agent. */
interface AnyClient {
  send(command: unknown): Promise<Record<string, unknown>>;
  middlewareStack: {
    addRelativeTo(
      mw: (next: (a: unknown) => Promise<unknown>) => (a: unknown) => Promise<unknown>,
      o: object,
    ): void;
  };
  destroy(): void;
}
type ClientCtor = new (config: Record<string, unknown>) => AnyClient;
type CommandCtor = new (input: Record<string, unknown>) => unknown;

/** Each service's SDK module and client class name (the SDK packages the project depends on). */
const MODULES: Record<ServiceName, [Record<string, unknown>, string]> = {
  iam: [iam, 'IAMClient'],
  sts: [sts, 'STSClient'],
  ec2: [ec2, 'EC2Client'],
  s3: [s3, 'S3Client'],
  lambda: [lambda, 'LambdaClient'],
  cloudformation: [cloudformation, 'CloudFormationClient'],
  guardduty: [guardduty, 'GuardDutyClient'],
  secretsmanager: [secretsmanager, 'SecretsManagerClient'],
  ssm: [ssm, 'SSMClient'],
  cloudtrail: [cloudtrail, 'CloudTrailClient'],
  events: [events, 'EventBridgeClient'],
  ce: [ce, 'CostExplorerClient'],
  bedrock: [bedrock, 'BedrockClient'],
  'bedrock-runtime': [bedrockRuntime, 'BedrockRuntimeClient'],
  ses: [ses, 'SESClient'],
  sesv2: [sesv2, 'SESv2Client'],
  sns: [sns, 'SNSClient'],
  rds: [rds, 'RDSClient'],
  kms: [kms, 'KMSClient'],
};

/** The SDK command class for an operation (`RunInstances` → `RunInstancesCommand`). */
export function commandFor(service: ServiceName, op: string): CommandCtor {
  const [mod] = MODULES[service];
  const ctor = mod[`${op}Command`];
  if (typeof ctor !== 'function') throw new Error(`the ${service} SDK has no ${op} command`);
  return ctor as CommandCtor;
}

/**
 * SDK clients per (service, region, key, user agent). The user agent is replaced right after the
 * SDK wrote its own, so CloudTrail records exactly the actor's client string.
 */
export class ClientCache {
  private readonly clients = new Map<string, AnyClient>();

  constructor(private readonly endpoint: string) {}

  get(service: ServiceName, region: string, creds: Credentials, userAgent: string): AnyClient {
    const key = `${service}|${region}|${creds.accessKeyId}|${userAgent}`;
    let client = this.clients.get(key);
    if (client) return client;
    const [mod, name] = MODULES[service];
    const Ctor = mod[name] as ClientCtor;
    client = new Ctor({
      region,
      endpoint: this.endpoint,
      credentials: { ...creds },
      // One retry, for the socket the server closed as idle (keep-alive, ten minutes of wall time) just as
      // a busy machine reused it (ECONNRESET before the request was read): nothing ran, so the
      // history is unchanged. AWS errors the story expects (AccessDenied) are never retried.
      maxAttempts: 2,
      ...(service === 's3' ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' } : {}),
      // Bedrock Runtime's client defaults to HTTP/2; the simulated account serves HTTP/1.1.
      ...(service === 'bedrock-runtime' ? { requestHandler: new NodeHttpHandler() } : {}),
    });
    client.middlewareStack.addRelativeTo(
      (next) => (args) => {
        const request = (args as { request?: { headers?: Record<string, string> } }).request;
        if (request?.headers) {
          request.headers['user-agent'] = userAgent;
          request.headers['x-amz-user-agent'] = userAgent;
        }
        return next(args);
      },
      // Right after the SDK's own user-agent middleware, before signing (S3 signs x-amz-user-agent).
      { relation: 'after', toMiddleware: 'getUserAgentMiddleware', name: 'scenarioUserAgent' },
    );
    this.clients.set(key, client);
    return client;
  }

  /** Close every client's sockets. */
  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}
