import { parseLookupRate } from '../../aws/ratelimit.js';
import { UsageError, UserError } from '../../errors.js';
import { writeScenarioAlerts } from '../../sim/alerts/index.js';
import { listScenarios, loadScenario, scenarioNamed } from '../../sim/scenarios/index.js';
import { layEventDataStore } from '../../sim/index.js';
import { exportLines, serveAccount } from '../../sim/serve.js';
import { resolve } from 'node:path';
import type { Outcome, RunEnv } from '../spec.js';
import type { SimInput } from './sim.js';

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string) => () => {
      process.off('SIGINT', int);
      process.off('SIGTERM', term);
      done(signal);
    };
    const int = on('SIGINT');
    const term = on('SIGTERM');
    process.once('SIGINT', int);
    process.once('SIGTERM', term);
  });
}

/** The scenario catalog as `--list-scenarios` prints it (`sim` and `demo`). */
export function scenarioListing(): Outcome {
  const list = listScenarios();
  return {
    json: { scenarios: list },
    blocks: [
      {
        kind: 'table',
        columns: ['scenario', 'what happens'],
        rows: list.map((s) => [s.name, s.summary]),
      },
    ],
  };
}

/** Run `tourniquet sim`. */
export async function runSim({ options }: SimInput, env: RunEnv): Promise<Outcome> {
  if (options['list-scenarios']) return scenarioListing();
  if (options.scenario !== undefined && !scenarioNamed(options.scenario)) {
    throw new UsageError(
      `--scenario ${options.scenario}: no such scenario`,
      `Known: ${listScenarios()
        .map((s) => s.name)
        .join(', ')} (tourniquet sim --list-scenarios).`,
    );
  }
  for (const needs of ['truth', 'alerts'] as const)
    if (options[needs] !== undefined && options.scenario === undefined)
      throw new UsageError(`--${needs} needs --scenario`, `Add --scenario NAME, or drop --${needs}.`);
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `--port must be a number from 0 to 65535, not '${options.port}'`,
      'Use --port 0 for any free port.',
    );
  }
  const stateFile = options.state ? resolve(env.cwd, options.state) : undefined;
  const lookupRate =
    options['lookup-rate'] === undefined
      ? undefined
      : parseLookupRate(options['lookup-rate'], '--lookup-rate');
  let served;
  try {
    served = await serveAccount({ port, stateFile, seed: options.seed, lookupEventsPerSecond: lookupRate });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const portTaken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new UserError('SIM_START', `could not start the simulated account: ${message}`, {
      hint: portTaken
        ? `Port ${port} is taken: give another --port, or 0 for any free one.`
        : stateFile
          ? `Check that ${stateFile} is a state file written by \`tourniquet sim\`, or move it away.`
          : 'Try another --port.',
    });
  }
  const { sim: running, responder, resumed } = served;
  let scenario:
    | { name: string; leakedAccessKeyId: string | null; truthFile: string | undefined; alerts: string[] }
    | undefined;
  if (options.scenario !== undefined) {
    const truthFile = options.truth ? resolve(env.cwd, options.truth) : undefined;
    try {
      const { truth } = await loadScenario(running, options.scenario, {
        seed: options.seed ?? running.state.data.seed,
        ...(truthFile ? { truthFile } : {}),
      });
      const alerts = options.alerts
        ? writeScenarioAlerts(running.state, truth, resolve(env.cwd, options.alerts))
        : [];
      scenario = { name: options.scenario, leakedAccessKeyId: truth.leakedAccessKeyId, truthFile, alerts };
    } catch (error) {
      await running.stop();
      const message = error instanceof Error ? error.message : String(error);
      throw new UserError('SIM_SCENARIO', `could not load scenario ${options.scenario}: ${message}`, {
        hint: resumed
          ? `Start from a fresh account: drop --state or move ${stateFile} away.`
          : 'Check that --truth FILE and --alerts DIR are writable.',
      });
    }
  }
  // Laid after the scenario, it holds the scenario's history as a store that imported the trail would.
  const eventDataStore = options['event-data-store']
    ? layEventDataStore(running.state, responder.accountId, {
        name: options['event-data-store'],
        holdsSince: '2013-11-01T00:00:00Z',
      }).arn
    : undefined;
  const info = {
    endpoint: running.endpoint,
    ...responder,
    eventDataStore,
    region: 'us-east-1',
    stateFile,
    resumed,
    scenario,
  };
  if (env.globals.json) console.log(JSON.stringify(info));
  else {
    console.log(exportLines(running.endpoint, responder).join('\n'));
    env.log.info(
      `simulated account ${responder.accountId} serving on ${running.endpoint}` +
        `${resumed ? ` (resumed from ${stateFile})` : ''}; Ctrl-C to stop${stateFile ? ' and save' : ''}`,
    );
    if (scenario) {
      // A shell comment, so `eval "$(tourniquet sim …)"` still works.
      console.log(
        `# scenario ${scenario.name}: leaked key ${scenario.leakedAccessKeyId ?? 'none (console password)'}`,
      );
      env.log.info(
        `scenario ${scenario.name} loaded; leaked key: ${scenario.leakedAccessKeyId ?? 'none (console password)'}` +
          `${scenario.truthFile ? `; truth in ${scenario.truthFile}` : ''}`,
      );
      for (const file of scenario.alerts) env.log.info(`alert written: ${file}`);
    }
    if (eventDataStore) env.log.info(`CloudTrail Lake event data store: ${eventDataStore}`);
  }
  const signal = await interrupted();
  await running.stop();
  if (stateFile) running.state.save(stateFile);
  return {
    json: { stopped: signal, endpoint: running.endpoint, stateFile: stateFile ?? null },
    blocks: [
      { kind: 'text', lines: [`Stopped on ${signal}.${stateFile ? ` State saved to ${stateFile}.` : ''}`] },
    ],
  };
}
