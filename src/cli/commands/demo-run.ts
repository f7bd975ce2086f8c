import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { LOOKUP_EVENTS_RATE, lookupEventsAt, parseLookupRate } from '../../aws/ratelimit.js';
import { ClientPool } from '../../aws/pool.js';
import type { Context } from '../../context.js';
import { respond, type RespondResult } from '../../playbook/respond.js';
import {
  createUserWithKey,
  EXTERNAL_ACCOUNT,
  startSim,
  VICTIM_ACCOUNT,
  type RunningSim,
} from '../../sim/index.js';
import { listScenarios, loadScenario, SCENARIOS, type Truth } from '../../sim/scenarios/index.js';
import { defaultCasesRoot } from '../../case/list.js';
import { UsageError } from '../../errors.js';
import type { Outcome, RunEnv } from '../spec.js';
import { DEMO_DEFAULT_SCENARIO, type DemoInput } from './demo.js';
import { demoBlocks } from './demo-output.js';
import { scenarioListing } from './sim-run.js';

/** Files the demo leaves beside the case: the scenario's ground truth and the account's final state. */
export const TRUTH_FILE = 'sim-truth.json';
export const STATE_FILE = 'sim-state.json';
/** The account as the attacker left it, before the response: a drill's starting point. */
export const ATTACKED_STATE_FILE = 'sim-state-attacked.json';
/** The role AWS Organizations creates in member accounts, trusted by the management account. */
export const ORG_ACCESS_ROLE = 'OrganizationAccountAccessRole';

/** One demo: which scenario, where, how long, the truth beside what the playbook found. */
export interface DemoRun {
  scenario: string;
  endpoint: string;
  seconds: number;
  truth: Truth;
  stateFile: string;
  respond: RespondResult;
}

/**
 * Member accounts of the simulated organisation get the access role AWS Organizations creates
 * (trusting the management account, here the victim account), so containment can reach sessions
 * that crossed into them, as a responder with an organisation would. The attacker's own account
 * stays out of reach.
 */
async function grantOrganisationAccess(sim: RunningSim): Promise<void> {
  for (const account of Object.keys(sim.state.data.accounts)) {
    if (account === VICTIM_ACCOUNT || account === EXTERNAL_ACCOUNT) continue;
    const { key } = createUserWithKey(sim.state, account, 'org-bootstrap', {
      managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    });
    const iam = new IAMClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: key });
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName: ORG_ACCESS_ROLE,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${VICTIM_ACCOUNT}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: ORG_ACCESS_ROLE,
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      );
    } finally {
      iam.destroy();
    }
  }
}

/**
 * Start the simulated account in this process on a free port, lay the scenario into it, and run
 * `respond --yes` against it through the AWS SDK with the security team's credentials, as on a
 * real account. The account's final state is saved beside the case (`tourniquet sim --state`).
 */
export async function playDemo(
  ctx: Context,
  options: { scenario: string; dir: string; seed: string; casesRoot: string; lookupRate?: number },
): Promise<DemoRun> {
  const started = Date.now();
  const lookupRate = options.lookupRate ?? LOOKUP_EVENTS_RATE;
  const sim = await startSim({ port: 0, seed: options.seed, lookupEventsPerSecond: lookupRate });
  let pool: ClientPool | undefined;
  try {
    ctx.log.info(
      `Simulated account serving on ${sim.endpoint}; laying the ${options.scenario} scenario into it…`,
    );
    mkdirSync(options.dir, { recursive: true });
    const loaded = await loadScenario(sim, options.scenario, {
      seed: options.seed,
      truthFile: join(options.dir, TRUTH_FILE),
    });
    await grantOrganisationAccess(sim);
    // The account as the attacker left it: `tourniquet sim --state` on this file replays the
    // response by hand on the same account (a drill), and it is what the response is judged against.
    sim.state.save(join(options.dir, ATTACKED_STATE_FILE));
    const subject = loaded.truth.leakedAccessKeyId ?? loaded.truth.compromisedUser;
    ctx.log.info(
      `History laid (${((Date.now() - started) / 1000).toFixed(1)} s). The leaked credential is ${subject}; ` +
        `responding as ${loaded.responderCredentials.userName}.`,
    );
    pool = await ClientPool.create(
      {
        endpointUrl: sim.endpoint,
        region: 'us-east-1',
        credentials: {
          accessKeyId: loaded.responderCredentials.accessKeyId,
          secretAccessKey: loaded.responderCredentials.secretAccessKey,
        },
        rates: lookupEventsAt(lookupRate),
      },
      ctx.clock,
    );
    const result = await respond(
      { ...ctx, aws: pool },
      {
        subject,
        yes: true,
        accountRole: ORG_ACCESS_ROLE,
        where: { dir: options.dir, root: options.casesRoot },
        onPhaseStart: (p) => ctx.log.info(`[${p.index}/${p.total}] ${p.title}…`),
        onPhaseEnd: (p) => ctx.log.info(`  ${p.state.toUpperCase()}: ${p.summary}`),
      },
    );
    const stateFile = join(options.dir, STATE_FILE);
    sim.state.save(stateFile);
    return {
      scenario: options.scenario,
      endpoint: sim.endpoint,
      seconds: (Date.now() - started) / 1000,
      truth: loaded.truth,
      stateFile,
      respond: result,
    };
  } finally {
    pool?.destroy();
    await sim.stop();
  }
}

/** Run `tourniquet demo`. */
export async function runDemo({ options }: DemoInput, env: RunEnv): Promise<Outcome> {
  if (options['list-scenarios']) return scenarioListing();
  const scenario = options.scenario ?? DEMO_DEFAULT_SCENARIO;
  if (!Object.hasOwn(SCENARIOS, scenario))
    throw new UsageError(
      `--scenario ${scenario}: no such scenario.`,
      `Choose one of: ${listScenarios()
        .map((s) => s.name)
        .join(', ')}.`,
    );
  const root = defaultCasesRoot(env.env, env.cwd);
  const stamp = env.clock.now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const dir = options.out ? resolve(env.cwd, options.out) : join(root, `demo-${scenario}-${stamp}`);
  const run = await playDemo(
    { clock: env.clock, log: env.log, progress: env.progress },
    {
      scenario,
      dir,
      seed: options.seed ?? '1',
      casesRoot: root,
      ...(options['lookup-rate']
        ? { lookupRate: parseLookupRate(options['lookup-rate'], '--lookup-rate') }
        : {}),
    },
  );
  // The demo succeeded when the playbook ran; partial coverage is shown in the summary.
  return { exitCode: run.respond.failed ? 1 : 0, json: run, blocks: demoBlocks(run) };
}
