import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type RunningSim } from '../index.js';
import { createUserWithKey } from '../services/iam/entities.js';
import { VICTIM_ACCOUNT } from '../state.js';
import { runAws, sdkConfig, type Creds } from '../test-support/aws.js';

let sim: RunningSim;
let alice: Creds;

beforeAll(async () => {
  sim = await startSim({ seed: 1 });
  const { key } = createUserWithKey(sim.state, VICTIM_ACCOUNT, 'alice', {
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  });
  alice = key;
});
afterAll(() => sim.stop());

describe('STS GetCallerIdentity end to end', () => {
  it('answers the JS SDK', async () => {
    const sts = new STSClient(sdkConfig(sim, alice));
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe(VICTIM_ACCOUNT);
    expect(id.Arn).toBe(`arn:aws:iam::${VICTIM_ACCOUNT}:user/alice`);
    expect(id.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(id.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers the AWS CLI', async () => {
    const r = await runAws(sim, alice, ['sts', 'get-caller-identity', '--output', 'json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({
      Account: VICTIM_ACCOUNT,
      Arn: `arn:aws:iam::${VICTIM_ACCOUNT}:user/alice`,
    });
  });

  it('rejects an unknown key with InvalidClientTokenId and a wrong secret with SignatureDoesNotMatch', async () => {
    const unknown = new STSClient(
      sdkConfig(sim, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) }),
    );
    await expect(unknown.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
    const wrong = new STSClient(sdkConfig(sim, { ...alice, secretAccessKey: 'y'.repeat(40) }));
    await expect(wrong.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
  });

  it('records the calls in CloudTrail in us-east-1', () => {
    const events = sim.state
      .account(VICTIM_ACCOUNT)!
      .cloudtrail.events.filter((e) => e.eventName === 'GetCallerIdentity');
    expect(events.length).toBeGreaterThanOrEqual(3);
    const ok = events[0]!;
    expect(ok).toMatchObject({
      eventSource: 'sts.amazonaws.com',
      awsRegion: 'us-east-1',
      sourceIPAddress: '127.0.0.1',
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: true,
      eventCategory: 'Management',
      recipientAccountId: VICTIM_ACCOUNT,
      userIdentity: { type: 'IAMUser', userName: 'alice', accessKeyId: alice.accessKeyId },
    });
    expect(events.some((e) => e.errorCode === 'SignatureDoesNotMatch')).toBe(true);
  });
});
