/**
 * `npm run bench:scope`: `tourniquet scope` on an account holding about 1,000 resources spread
 * over the 17 default regions, through a loopback proxy that adds 100 ms to every call (a
 * responder far from the AWS regions). Target: under 30 s (issue 12).
 *
 * The account is filled through the AWS SDK directly (no proxy), then a case is opened with
 * `tourniquet triage` and `tourniquet scope` runs in-process through the proxy. Prints the time
 * from command start to scope.json written, the resources read and the calls made.
 * BENCH_RUNS=N (default 3), BENCH_LATENCY_MS (default 100), BENCH_PER_REGION (default 55).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  EC2Client,
  ImportKeyPairCommand,
} from '@aws-sdk/client-ec2';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pLimit from 'p-limit';
import { startLatencyProxy } from '../src/actions/test-support/latency-proxy.js';
import { FALLBACK_REGIONS } from '../src/aws/regions.js';
import { main } from '../src/cli/main.js';
import { createUserWithKey, startSim, VICTIM_ACCOUNT } from '../src/sim/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const PER_REGION = Number(process.env.BENCH_PER_REGION ?? 55);
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bench';

type Creds = { accessKeyId: string; secretAccessKey: string };

/** Fill one region: security groups, key pairs, volumes, snapshots, parameters, secrets. */
async function fillRegion(endpoint: string, creds: Creds, region: string, n: number): Promise<number> {
  const cfg = { region, endpoint, credentials: creds };
  const ec2 = new EC2Client(cfg);
  const ssm = new SSMClient(cfg);
  const sm = new SecretsManagerClient(cfg);
  const limit = pLimit(8);
  const share = Math.floor(n / 6);
  const jobs: Promise<unknown>[] = [];
  for (let i = 0; i < share; i++) {
    jobs.push(
      limit(() => ec2.send(new CreateSecurityGroupCommand({ GroupName: `app-${i}`, Description: 'bench' }))),
    );
    jobs.push(
      limit(() =>
        ec2.send(new ImportKeyPairCommand({ KeyName: `key-${i}`, PublicKeyMaterial: Buffer.from(KEY) })),
      ),
    );
    jobs.push(
      limit(() =>
        ssm.send(new PutParameterCommand({ Name: `/bench/${region}/p${i}`, Value: 'x', Type: 'String' })),
      ),
    );
    jobs.push(
      limit(() => sm.send(new CreateSecretCommand({ Name: `bench/${region}/s${i}`, SecretString: 'x' }))),
    );
    jobs.push(
      limit(async () => {
        const v = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: 8 }));
        await ec2.send(new CreateSnapshotCommand({ VolumeId: v.VolumeId }));
      }),
    );
  }
  await Promise.all(jobs);
  for (const c of [ec2, ssm, sm]) c.destroy();
  return share * 6;
}

async function run(
  index: number,
): Promise<{ seconds: number; resources: number; calls: number; exit: number }> {
  const sim = await startSim({ port: 0, seed: `bench-scope-${index}` });
  const admin = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'responder', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  }).key;
  const creds = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
  const iam = new IAMClient({ region: 'us-east-1', endpoint: sim.endpoint, credentials: creds });
  const users = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      await iam.send(new CreateUserCommand({ UserName: `bench-user-${i}` }));
      return iam.send(new CreateAccessKeyCommand({ UserName: `bench-user-${i}` }));
    }),
  );
  const victim = users[0]!.AccessKey!.AccessKeyId!;
  iam.destroy();
  let filled = 60;
  for (const region of FALLBACK_REGIONS) filled += await fillRegion(sim.endpoint, creds, region, PER_REGION);

  const url = new URL(sim.endpoint);
  const proxy = await startLatencyProxy({ host: url.hostname, port: Number(url.port) }, LATENCY);
  const root = mkdtempSync(join(tmpdir(), 'tq-bench-scope-'));
  // The SDK's default chain reads the process environment, as in a responder's shell.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_CONFIG_FILE: join(root, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(root, 'none'),
  });
  const env = { ...process.env, TOURNIQUET_CASES: join(root, 'cases') };
  let log = '';
  const quiet = { write: (s: string) => ((log += s), true) };
  const io = { stdout: quiet, stderr: quiet, env, cwd: root };
  const args = ['--endpoint-url', sim.endpoint, '--region', 'us-east-1'];
  const triaged = await main(['triage', victim, ...args], io);
  if (triaged !== 0 && triaged !== 3) throw new Error(`triage failed: ${log}`);
  const before = proxy.requests();
  const t0 = process.hrtime.bigint();
  const exit = await main(['scope', '--endpoint-url', proxy.endpoint, '--region', 'us-east-1'], io);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const calls = proxy.requests() - before;
  const caseDir = join(root, 'cases', readdirSync(join(root, 'cases'))[0]!);
  const scope = JSON.parse(readFileSync(join(caseDir, 'scope.json'), 'utf8')) as {
    summary: { resources: number };
  };
  await proxy.close();
  await sim.stop();
  console.log(
    `  run ${index + 1}: filled ${filled}, scope read ${scope.summary.resources} resources in ${seconds.toFixed(2)} s (${calls} calls, exit ${exit})`,
  );
  return { seconds, resources: scope.summary.resources, calls, exit };
}

console.log(
  `bench:scope — ${FALLBACK_REGIONS.length} regions, ~${PER_REGION} resources each, ${LATENCY} ms per call`,
);
const runs = [];
for (let i = 0; i < RUNS; i++) runs.push(await run(i));
const sorted = runs.map((r) => r.seconds).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(
  `median ${median.toFixed(2)} s, worst ${sorted.at(-1)!.toFixed(2)} s over ${RUNS} runs; ${runs[0]!.resources} resources, ${runs[0]!.calls} calls — ${median < 30 ? '[ok] under 30 s' : '[FAIL] target 30 s'}`,
);
