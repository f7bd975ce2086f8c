import type { Server } from 'node:http';
import { SimClock } from './clock.js';
import { deliverDueTrails } from './cloudtrail/delivery.js';
import { Dispatcher } from './core/dispatch.js';
import type { AnyService } from './core/service.js';
import { listen } from './core/server.js';
import { SERVICES } from './services/index.js';
import { SimState } from './state.js';

export { SimClock, isoSeconds, javaDate } from './clock.js';
export { SimState, VICTIM_ACCOUNT, EXTERNAL_ACCOUNT, type AccountState, type StsSession } from './state.js';
export { createUserWithKey } from './services/iam/entities.js';
export { recordConsoleLogin, type ConsoleLogin } from './cloudtrail/signin.js';
export type { CloudTrailRecord } from './cloudtrail/model.js';
export { layEventDataStore, type LayStoreOptions } from './cloudtrail/lake/stores.js';
export type { EventDataStore, LakeQuery } from './cloudtrail/lake/model.js';
export type { Caller, ServiceDef, OpContext } from './core/service.js';

/** Options of `startSim`. */
export interface SimOptions {
  /** TCP port on 127.0.0.1 (0 = any free port). */
  port?: number;
  /** Seed for deterministic ids (ignored when `state` is given). */
  seed?: string | number;
  /** The simulated clock (default: follows the wall clock from now). */
  clock?: SimClock;
  /** Start from an existing state (e.g. `SimState.load(file)`). */
  state?: SimState;
  /** Services to serve (default: all of them). */
  services?: AnyService[];
  /** LookupEvents requests per second per region (AWS: 2); tests that are not about throttling raise it. */
  lookupEventsPerSecond?: number;
  /** Wall clock for SigV4 date checks (tests). */
  realNow?: () => number;
}

/** A running simulated account. */
export interface RunningSim {
  /** `http://127.0.0.1:<port>`, for `endpoint` / `AWS_ENDPOINT_URL`. */
  endpoint: string;
  port: number;
  state: SimState;
  clock: SimClock;
  dispatcher: Dispatcher;
  /** Deliver trail files now if 5 simulated minutes have passed (or always, with force). */
  deliverTrails(options?: { force?: boolean }): void;
  /** Stop serving (state stays in memory; save it with `state.save(file)`). */
  stop(): Promise<void>;
}

/** Start the simulated account on loopback. */
export async function startSim(options: SimOptions = {}): Promise<RunningSim> {
  const clock = options.clock ?? options.state?.clock ?? new SimClock();
  const state = options.state ?? SimState.create({ seed: options.seed, clock });
  if (options.lookupEventsPerSecond !== undefined)
    state.limits.lookupEventsPerSecond = options.lookupEventsPerSecond;
  if (options.realNow) state.wallClock = options.realNow;
  const dispatcher = new Dispatcher(state, options.services ?? SERVICES);
  dispatcher.afterRequest = () => deliverDueTrails(state);
  const { server, port } = await listen(dispatcher, options.port ?? 0);
  // Deliveries also happen while nobody calls (an idle drill still gets its 5-minute files).
  const timer = setInterval(() => deliverDueTrails(state), 10_000);
  timer.unref();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    state,
    clock: state.clock,
    dispatcher,
    deliverTrails: (o) => deliverDueTrails(state, o?.force ?? false),
    stop: () => stopServer(server, timer),
  };
}

function stopServer(server: Server, timer: NodeJS.Timeout): Promise<void> {
  clearInterval(timer);
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
