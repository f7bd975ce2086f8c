import { STSClient } from '@aws-sdk/client-sts';
import type { Clock } from '../clock.js';
import { VERSION } from '../version.js';
import { RateLimiter, type RateRule } from './ratelimit.js';

/** How to reach AWS: the global command-line options, plus test overrides. */
export interface AwsSettings {
  profile?: string | undefined;
  region?: string | undefined;
  endpointUrl?: string | undefined;
  /** Explicit credentials (tests, the demo); otherwise the standard chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  maxAttempts?: number | undefined;
  rates?: RateRule | undefined;
  /**
   * Refuse, before anything is sent, every operation that is not a read (`mcp`: an assistant's
   * tool call must not be able to change the account, whatever the code path).
   */
  readOnly?: boolean | undefined;
}

/** Operations that only read, by AWS's naming: everything else may change the account. */
export const READ_OPERATION = /^(Get|List|Describe|Lookup|Head|Simulate)[A-Z]/;

/** Raised by a read-only pool for an operation that could change the account. */
export class WriteRefused extends Error {
  override readonly name = 'WriteRefused';
}

/** Any AWS SDK v3 client: what the pool needs to know of one. */
interface SdkClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: string; name: string; priority?: string }): void;
  };
  destroy(): void;
}

// The SDK's client config types differ per service; the pool passes the common subset.
type ClientConstructor<C> = new (config: Record<string, unknown>) => C;

interface HandlerArgs {
  request: { headers: Record<string, string> };
}
interface HandlerContext {
  commandName?: string;
}

export const FALLBACK_REGION = 'us-east-1';

/**
 * One client per (service, region), all built from the same settings: standard credential
 * chain or profile, adaptive retries, the per-(operation, region) rate limiter, path-style S3
 * when an endpoint is given, and a user agent that marks every call as the responder's own
 * (`tourniquet/<version> case/<id>`), so the investigation can tell it from the attacker's.
 */
export class ClientPool {
  private readonly clients = new Map<string, SdkClient>();
  readonly limiter: RateLimiter;
  /** The case the calls belong to; read at request time, so it may be set after clients exist. */
  caseId: string | undefined;

  private constructor(
    readonly settings: AwsSettings,
    readonly defaultRegion: string,
    clock: Clock,
  ) {
    this.limiter = new RateLimiter(clock, settings.rates);
  }

  /** Build a pool; the default region comes from --region, the environment or the profile. */
  static async create(settings: AwsSettings, clock: Clock): Promise<ClientPool> {
    const region = settings.region ?? (await regionFromChain(settings.profile)) ?? FALLBACK_REGION;
    return new ClientPool(settings, region, clock);
  }

  /** The user agent suffix every call carries. */
  get userAgentTag(): string {
    return this.caseId ? `tourniquet/${VERSION} case/${this.caseId}` : `tourniquet/${VERSION}`;
  }

  /** The client for a service in a region (the default region when omitted). */
  get<C extends object>(Client: ClientConstructor<C>, region: string = this.defaultRegion): C {
    const key = `${Client.name}\u0000${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.build(Client, region) as unknown as SdkClient;
      this.clients.set(key, client);
    }
    return client as unknown as C;
  }

  /** Close every client's sockets. */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private build<C>(Client: ClientConstructor<C>, region: string): C {
    const { settings } = this;
    const config: Record<string, unknown> = {
      region,
      retryMode: 'adaptive',
      maxAttempts: settings.maxAttempts ?? 8,
    };
    if (settings.profile) config.profile = settings.profile;
    if (settings.credentials) config.credentials = settings.credentials;
    if (settings.endpointUrl) {
      config.endpoint = settings.endpointUrl;
      // A custom endpoint (the simulated account, LocalStack) has no per-bucket DNS names.
      config.forcePathStyle = true;
      // S3 Control's endpoint rules put the account id in the host name (`<account>.s3-control…`),
      // which a custom endpoint cannot serve: send its calls to the endpoint as given.
      if (Client.name === 'S3ControlClient') {
        const url = new URL(settings.endpointUrl);
        config.endpointProvider = () => ({ url });
      }
    }
    const client = new Client(config) as unknown as SdkClient;
    if (settings.readOnly) {
      client.middlewareStack.add(
        (next: (args: unknown) => Promise<unknown>, context: HandlerContext) => async (args: unknown) => {
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          if (!READ_OPERATION.test(operation))
            throw new WriteRefused(`${operation} refused: this session may only read from AWS.`);
          return await next(args);
        },
        { step: 'initialize', name: 'tourniquetReadOnly', priority: 'high' },
      );
    }
    // Per attempt (inside the retry loop): space the calls, then tag the user agent. The
    // user-agent header is not part of the SigV4 signature, so it can be changed here.
    client.middlewareStack.add(
      (next: (args: HandlerArgs) => Promise<unknown>, context: HandlerContext) =>
        async (args: HandlerArgs) => {
          const operation = (context.commandName ?? '').replace(/Command$/, '');
          await this.limiter.acquire(operation, region);
          const headers = args.request.headers;
          const current = headers['user-agent'] ?? '';
          headers['user-agent'] = current ? `${current} ${this.userAgentTag}` : this.userAgentTag;
          return next(args);
        },
      { step: 'deserialize', name: 'tourniquetPerAttempt', priority: 'low' },
    );
    return client as unknown as C;
  }
}

async function regionFromChain(profile: string | undefined): Promise<string | undefined> {
  const probe = new STSClient(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    // No region configured anywhere: the caller falls back to us-east-1, where IAM, STS and
    // global-service CloudTrail events live.
    return undefined;
  } finally {
    probe.destroy();
  }
}
