import { UsageError, UserError } from '../../errors.js';
import { listScenarios, loadScenario, scenarioNamed } from '../../sim/scenarios/index.js';
import { exportLines, serveAccount } from '../../sim/serve.js';
import { defineCommand } from '../spec.js';
import { resolve } from 'node:path';

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

export const sim = defineCommand({
  name: 'sim',
  summary: 'serve a simulated AWS account on 127.0.0.1 until interrupted',
  description:
    'Starts a stateful AWS endpoint (IAM, STS, CloudTrail and the other simulated services) with a\n' +
    'responder IAM user holding AdministratorAccess, prints shell export lines for it, and serves\n' +
    'until SIGINT/SIGTERM. With --state the account is loaded from FILE (when it exists) and saved\n' +
    'back on exit, so a drill can stop and resume. With --scenario NAME the account is first filled\n' +
    "with that scenario's weeks of history (baseline and attack) and the leaked key is printed;\n" +
    '--truth FILE writes its ground truth. --list-scenarios lists them. With --json the start-up\n' +
    'details are printed as one JSON line and the exit summary as a JSON document.',
  args: [],
  options: {
    port: { type: 'string', value: 'N', description: 'TCP port on 127.0.0.1 (default 0: any free port)' },
    state: {
      type: 'string',
      value: 'FILE',
      description: 'load the account from FILE and save it there on exit',
    },
    seed: { type: 'string', value: 'N', description: 'seed for deterministic ids (default: tourniquet)' },
    scenario: {
      type: 'string',
      value: 'NAME',
      description: 'lay this attack scenario into the account first',
    },
    truth: {
      type: 'string',
      value: 'FILE',
      description: "write the scenario's ground truth (truth.json) to FILE",
    },
    'list-scenarios': { type: 'boolean', description: 'list the scenarios and exit' },
  },
  examples: [
    'tourniquet sim --port 4566 --state drill.json',
    'tourniquet sim --scenario cryptomining --seed 7 --truth truth.json',
    'tourniquet sim --list-scenarios',
    'eval "$(tourniquet sim --port 4566 | head -n 6)"   # in another shell, after starting it',
  ],
  async run({ options }, env) {
    if (options['list-scenarios']) {
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
    if (options.scenario !== undefined && !scenarioNamed(options.scenario)) {
      throw new UsageError(
        `--scenario ${options.scenario}: no such scenario`,
        `Known: ${listScenarios()
          .map((s) => s.name)
          .join(', ')} (tourniquet sim --list-scenarios).`,
      );
    }
    if (options.truth !== undefined && options.scenario === undefined) {
      throw new UsageError('--truth needs --scenario', 'Add --scenario NAME, or drop --truth.');
    }
    const port = options.port === undefined ? 0 : Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        `--port must be a number from 0 to 65535, not '${options.port}'`,
        'Use --port 0 for any free port.',
      );
    }
    const stateFile = options.state ? resolve(env.cwd, options.state) : undefined;
    let served;
    try {
      served = await serveAccount({ port, stateFile, seed: options.seed });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new UserError('SIM_START', `could not start the simulated account: ${message}`, {
        hint: stateFile
          ? `Check that ${stateFile} is a state file written by \`tourniquet sim\`, or move it away.`
          : 'Try another --port.',
      });
    }
    const { sim: running, responder, resumed } = served;
    let scenario:
      { name: string; leakedAccessKeyId: string | null; truthFile: string | undefined } | undefined;
    if (options.scenario !== undefined) {
      const truthFile = options.truth ? resolve(env.cwd, options.truth) : undefined;
      try {
        const { truth } = await loadScenario(running, options.scenario, {
          seed: options.seed ?? running.state.data.seed,
          ...(truthFile ? { truthFile } : {}),
        });
        scenario = { name: options.scenario, leakedAccessKeyId: truth.leakedAccessKeyId, truthFile };
      } catch (error) {
        await running.stop();
        const message = error instanceof Error ? error.message : String(error);
        throw new UserError('SIM_SCENARIO', `could not load scenario ${options.scenario}: ${message}`, {
          hint: resumed
            ? `Start from a fresh account: drop --state or move ${stateFile} away.`
            : 'Check --truth FILE is writable.',
        });
      }
    }
    const info = {
      endpoint: running.endpoint,
      ...responder,
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
      }
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
  },
});
