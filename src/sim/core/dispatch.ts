import { buildRecord, queryToObject, type CallFacts } from '../cloudtrail/record.js';
import { storeRecord } from '../cloudtrail/store.js';
import type { SimState } from '../state.js';
import { authError } from './auth-errors.js';
import { authenticate } from './authn.js';
import { denialMessage, evaluateAccess } from './authz.js';
import { SimError } from './errors.js';
import type { SimHttpRequest, SimHttpResponse } from './http.js';
import { QueryParams } from './params.js';
import type { Codec } from './protocols/codec.js';
import { json11Codec, matchRestRoute, restJsonCodec, targetMatches } from './protocols/json.js';
import { ec2Codec, formParams, queryCodec } from './protocols/query.js';
import { restXmlCodec } from './protocols/restxml.js';
import {
  isReadOnly,
  type AuthorizeOptions,
  type Caller,
  type OpContext,
  type OperationDef,
  type Protocol,
  type AnyService,
  type TrailNotes,
} from './service.js';
import { parseSigV4 } from './sigv4.js';

const CODECS: Record<Protocol, Codec> = {
  query: queryCodec,
  ec2: ec2Codec,
  restXml: restXmlCodec,
  json: json11Codec,
  restJson: restJsonCodec,
};

/** An unexpected failure inside a handler (a simulator bug), kept for tests to inspect. */
export interface InternalFailure {
  at: string;
  service: string;
  operation: string;
  error: unknown;
}

/** Routes, authenticates, authorizes, runs and records every request. */
export class Dispatcher {
  readonly sim: SimState;
  private readonly services: Map<string, AnyService>;
  /** Services that share another's signing name and take the requests they claim (SES v2). */
  private readonly claimants: AnyService[];
  /** Handler crashes (answered with 500 InternalFailure). */
  readonly internalFailures: InternalFailure[] = [];
  /** When each request in flight arrived, by request id. */
  private readonly received = new Map<string, string>();
  /** Called after every request (trail delivery runs here). */
  afterRequest: (() => void) | undefined;

  constructor(sim: SimState, services: AnyService[]) {
    this.sim = sim;
    this.services = new Map(services.filter((s) => s.claims === undefined).map((s) => [s.signingName, s]));
    this.claimants = services.filter((s) => s.claims !== undefined);
    for (const s of services) s.attach?.(sim);
  }

  /** The service registered under a signing name. */
  service(signingName: string): AnyService | undefined {
    return this.services.get(signingName);
  }

  /** The service a signed request is for: one claiming it among those of its signing name, else the first. */
  private signedService(signingName: string, req: SimHttpRequest): AnyService | undefined {
    const claimant = this.claimants.find((s) => s.signingName === signingName && s.claims?.(req));
    return claimant ?? this.services.get(signingName);
  }

  /** Which service an unsigned request is for (JSON target prefix, query Action, else S3). */
  private unsignedService(req: SimHttpRequest): AnyService | undefined {
    const target = req.headers['x-amz-target'];
    if (target) {
      const prefix = target.slice(0, target.lastIndexOf('.'));
      return [...this.services.values()].find(
        (s) => s.targetPrefix !== undefined && targetMatches(prefix, s.targetPrefix),
      );
    }
    const action = formParams(req, 'query').get('Action');
    // Unsigned query calls are STS's federation entry points (AssumeRoleWithSAML/WebIdentity).
    if (action) return this.services.get('sts');
    // REST-JSON routes open to unsigned callers (Lambda's code download, a presigned URL on AWS).
    for (const s of this.services.values()) {
      if (s.protocol !== 'restJson') continue;
      const match = matchRestRoute(req, s);
      if (match && s.operations[match.operation]?.allowAnonymous) return s;
    }
    return this.services.get('s3');
  }

  /** Answer one request. */
  async handle(req: SimHttpRequest): Promise<SimHttpResponse> {
    const requestId = this.sim.ids.uuid();
    // CloudTrail dates a call by when the request was made, not when its record is written.
    this.received.set(requestId, this.sim.nowIso());
    try {
      return await this.handleInner(req, requestId);
    } finally {
      this.received.delete(requestId);
      this.afterRequest?.();
    }
  }

  private async handleInner(req: SimHttpRequest, requestId: string): Promise<SimHttpResponse> {
    const sig = parseSigV4(req);
    const signed = sig && !('malformed' in sig) ? sig : undefined;
    const service = signed ? this.signedService(signed.service, req) : this.unsignedService(req);
    if (!service) {
      const name = signed?.service ?? 'unknown';
      return queryCodec.error(
        { signingName: name } as AnyService,
        new SimError('InvalidAction', `The simulated account does not serve the '${name}' service.`, 400),
        requestId,
        req,
      );
    }
    const codec = CODECS[service.protocol];
    const fail = (error: SimError): SimHttpResponse => codec.error(service, error, requestId, req);
    if (sig && 'malformed' in sig) return fail(authError(service.protocol, 'malformed', sig.malformed));
    // The request names a JSON service whose signing name differs from the scope's: AWS checks
    // that the scope is for the service addressed.
    const targeted = signed && req.headers['x-amz-target'] ? this.unsignedService(req) : undefined;
    if (targeted && targeted !== service) {
      return CODECS[targeted.protocol].error(
        targeted,
        authError(
          targeted.protocol,
          'badSignature',
          `Credential should be scoped to correct service: '${targeted.signingName}'. `,
        ),
        requestId,
        req,
      );
    }

    const route = codec.operation(req, service);
    const op: OperationDef<unknown> | undefined = route ? service.operations[route.operation] : undefined;
    const region = signed?.region ?? 'us-east-1';

    let caller: Caller | undefined;
    if (signed) {
      const auth = authenticate(
        this.sim,
        req,
        signed,
        service.protocol,
        service.signingName,
        this.sim.wallClock(),
      );
      caller = auth.caller;
      if (auth.error) {
        // CloudTrail records failed sign-ins of known keys (e.g. a key deactivated by the responder).
        if (caller && route)
          this.record(
            service,
            route.operation,
            op,
            caller,
            region,
            req,
            requestId,
            {},
            undefined,
            auth.error,
          );
        return fail(auth.error);
      }
    } else if (op?.allowAnonymous) {
      caller = {
        type: 'Anonymous',
        accountId: 'anonymous',
        arn: '',
        principalArn: '',
        principalId: '',
        accessKeyId: '',
        mfa: false,
      };
    } else {
      return fail(authError(service.protocol, 'missingAuth'));
    }
    if (!caller) return fail(authError(service.protocol, 'invalidKey'));
    if (caller.type !== 'Anonymous') this.noteKeyUse(caller, service, region);

    if (!route || !op) {
      const name =
        route?.operation ??
        formParams(req, 'query').get('Action') ??
        req.headers['x-amz-target'] ??
        `${req.method} ${req.rawPath}`;
      const error =
        service.protocol === 'restXml'
          ? new SimError(
              'NotImplemented',
              'A header or query you provided implies functionality that is not implemented.',
              501,
            )
          : service.protocol === 'json' || service.protocol === 'restJson'
            ? new SimError('UnknownOperationException', `Unknown operation ${name}`, 400)
            : new SimError(
                'InvalidAction',
                `Could not find operation ${name} for version ${service.apiVersion}`,
                400,
              );
      return fail(error);
    }

    const operation = route.operation;
    const notes: TrailNotes = {};
    let params = new QueryParams();
    let body: Record<string, unknown> = {};
    let result: unknown;
    let error: SimError | undefined;
    const ctx = this.context(
      service,
      operation,
      caller,
      region,
      req,
      requestId,
      notes,
      route.pathParams ?? {},
    );
    try {
      ({ params, body } = codec.input(req));
      ctx.params = params;
      ctx.body = body;
      await this.defaultAuthorize(ctx, op);
      result = await op.handler(ctx);
    } catch (e) {
      if (e instanceof SimError) error = e;
      else {
        this.internalFailures.push({
          at: this.sim.nowIso(),
          service: service.signingName,
          operation,
          error: e,
        });
        error = new SimError(
          'InternalFailure',
          `The simulator failed to process ${operation}: ${e instanceof Error ? e.message : String(e)}`,
          500,
        );
      }
    }
    const defaults =
      service.protocol === 'query' || service.protocol === 'ec2'
        ? queryToObject(params)
        : { ...route.pathParams, ...body };
    this.record(service, operation, op, caller, region, req, requestId, notes, result, error, defaults);
    return error ? fail(error) : codec.success(service, operation, result, requestId);
  }

  private context(
    service: AnyService,
    operation: string,
    caller: Caller,
    region: string,
    req: SimHttpRequest,
    requestId: string,
    notes: TrailNotes,
    pathParams: Record<string, string>,
  ): OpContext<unknown> {
    const sim = this.sim;
    const sourceIp = this.sourceIp(caller, req);
    const now = sim.clock.now();
    const env = { now, sourceIp, region };
    const stateOf = (accountId: string): unknown =>
      service.initState ? sim.serviceState(accountId, service.signingName, service.initState) : undefined;
    const evaluate = (action: string, resource = '*', options: AuthorizeOptions = {}) =>
      evaluateAccess(sim, caller, action, resource, options, env);
    return {
      sim,
      service,
      operation,
      caller,
      get account() {
        if (caller.type === 'Anonymous') throw authError(service.protocol, 'accessDenied', 'Access Denied');
        return sim.accountOrThrow(caller.accountId);
      },
      get state(): unknown {
        if (caller.type === 'Anonymous') throw authError(service.protocol, 'accessDenied', 'Access Denied');
        return stateOf(caller.accountId);
      },
      stateOf,
      region,
      params: new QueryParams(),
      body: {},
      http: req,
      pathParams,
      requestId,
      now,
      sourceIp,
      evaluate,
      async authorize(action, resource = '*', options = {}) {
        const decision = await evaluate(action, resource, options);
        if (!decision.allowed) {
          const message = denialMessage(caller, action, resource, decision);
          // EC2 puts its own sentence first (EC2 API error codes, "UnauthorizedOperation").
          const text =
            service.protocol === 'ec2'
              ? `You are not authorized to perform this operation. ${message}`
              : message;
          throw authError(service.protocol, 'accessDenied', text);
        }
      },
      trail: notes,
    };
  }

  private async defaultAuthorize(ctx: OpContext<unknown>, op: OperationDef<unknown>): Promise<void> {
    const auth = op.auth ?? {};
    if (auth === 'none' || auth === 'handler') return;
    const action = auth.action ?? `${ctx.service.actionPrefix ?? ctx.service.signingName}:${ctx.operation}`;
    const resources = auth.resource ? auth.resource(ctx) : '*';
    const options = auth.options?.(ctx) ?? {};
    for (const r of Array.isArray(resources) ? resources : [resources])
      await ctx.authorize(action, r, options);
  }

  /** Apparent IP set in-process for the key (scenarios), else the socket address. */
  private sourceIp(caller: Caller, req: SimHttpRequest): string {
    return (caller.accessKeyId && this.sim.data.apparentIps[caller.accessKeyId]) || req.remoteAddress;
  }

  /** GetAccessKeyLastUsed and role last-used follow every authenticated call. */
  private noteKeyUse(caller: Caller, service: AnyService, region: string): void {
    const account = this.sim.account(caller.accountId);
    if (!account) return;
    const date = this.sim.nowIso();
    const key = account.iam.accessKeys[caller.accessKeyId];
    if (key)
      key.lastUsed = { date, serviceName: service.signingName, region: service.globalRegion ?? region };
    if (caller.session?.kind === 'assumed-role') {
      const role = account.iam.roles[caller.session.roleName ?? ''];
      if (role) role.lastUsed = { date, region: service.globalRegion ?? region };
    }
  }

  private record(
    service: AnyService,
    operation: string,
    op: OperationDef<unknown> | undefined,
    caller: Caller,
    region: string,
    req: SimHttpRequest,
    requestId: string,
    notes: TrailNotes,
    result: unknown,
    error: SimError | undefined,
    defaultRequestParameters: unknown = null,
  ): void {
    if (notes.skip) return;
    const facts: CallFacts = {
      service,
      eventName: op?.eventName ?? operation,
      caller,
      region,
      req,
      sourceIp: this.sourceIp(caller, req),
      requestId,
      eventTime: this.received.get(requestId),
      readOnly: op ? isReadOnly(operation, op) : false,
      dataEvent: op?.dataEvent ?? false,
      endpointHost: op?.endpointHost?.bind(op),
      notes,
      defaultRequestParameters,
      result,
      error: error
        ? { code: service.protocol === 'ec2' ? `Client.${error.code}` : error.code, message: error.message }
        : undefined,
    };
    if (facts.error && error && error.status >= 500 && service.protocol === 'ec2')
      facts.error.code = `Server.${error.code}`;
    const record = buildRecord(this.sim, facts);
    storeRecord(this.sim, record);
    for (const other of notes.alsoRecordIn ?? []) {
      if (other === record.recipientAccountId) continue;
      const copy = {
        ...record,
        eventID: this.sim.ids.uuid(),
        sharedEventID: record.eventID,
        recipientAccountId: other,
        // The other account sees the caller as an AWS account (CloudTrail UG, userIdentity "AWSAccount").
        userIdentity: { type: 'AWSAccount', principalId: caller.principalId, accountId: caller.accountId },
      };
      record.sharedEventID = record.eventID;
      storeRecord(this.sim, copy);
    }
  }
}
