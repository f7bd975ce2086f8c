import { javaDate } from '../clock.js';
import type { CloudTrailRecord } from '../cloudtrail/model.js';
import { storeRecord } from '../cloudtrail/store.js';
import { createAccessKey, getUser } from '../services/iam/entities.js';
import type { IamUser } from '../services/iam/model.js';
import { VICTIM_ACCOUNT, type SimState, type StsSession } from '../state.js';
import type { Actor, ConsoleAction, Vars } from './types.js';

/** Console sessions last 12 hours for IAM users (AWS sign-in). */
const CONSOLE_SESSION_S = 12 * 3600;

const TLS = (host: string) => ({
  tlsVersion: 'TLSv1.3',
  cipherSuite: 'TLS_AES_128_GCM_SHA256',
  clientProvidedHostHeader: host,
});

/** The variable holding a user's console session after a successful sign-in. */
export function consoleSessionVar(userName: string): string {
  return `console:${userName}`;
}

function base(
  sim: SimState,
  actor: Actor,
): Omit<
  CloudTrailRecord,
  | 'userIdentity'
  | 'eventSource'
  | 'eventName'
  | 'requestParameters'
  | 'responseElements'
  | 'eventType'
  | 'readOnly'
> {
  return {
    eventVersion: '1.09',
    eventTime: sim.nowIso(),
    awsRegion: 'us-east-1',
    sourceIPAddress: actor.ip,
    userAgent: actor.userAgent,
    eventID: sim.ids.uuid(),
    managementEvent: true,
    recipientAccountId: VICTIM_ACCOUNT,
    eventCategory: 'Management',
  };
}

/**
 * A ConsoleLogin record as AWS sign-in writes it (aws-facts §1.3): in us-east-1, no request id,
 * `responseElements.ConsoleLogin`, `additionalEventData.MFAUsed`; failures carry
 * "Failed authentication" and an empty access key id.
 */
function login(sim: SimState, actor: Actor, user: IamUser, success: boolean, vars: Vars): void {
  const mfaUsed = user.mfaDevices.length > 0;
  const record: CloudTrailRecord = {
    ...base(sim, actor),
    userIdentity: {
      type: 'IAMUser',
      principalId: user.userId,
      ...(success ? { arn: user.arn } : {}),
      accountId: VICTIM_ACCOUNT,
      accessKeyId: '',
      userName: user.userName,
    },
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    ...(success ? {} : { errorMessage: 'Failed authentication' }),
    requestParameters: null,
    responseElements: { ConsoleLogin: success ? 'Success' : 'Failure' },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
      MobileVersion: 'No',
      MFAUsed: mfaUsed ? 'Yes' : 'No',
    },
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    tlsDetails: TLS('signin.aws.amazon.com'),
  };
  storeRecord(sim, record);
  if (!success) return;
  user.passwordLastUsed = sim.nowIso();
  // The console works with temporary credentials of the user (ASIA…), which CloudTrail shows on
  // every console action; a TokenIssueTime deny on the user ends them like other sessions.
  const now = sim.clock.nowMs();
  const session: StsSession = {
    accessKeyId: sim.ids.iamId('ASIA'),
    secretAccessKey: sim.ids.secret(),
    sessionToken: `IQoJb3JpZ2luX2VjE${sim.ids.token(300)}`,
    accountId: VICTIM_ACCOUNT,
    kind: 'session-token',
    issuedAt: sim.nowIso(),
    expiration: new Date(now + CONSOLE_SESSION_S * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    mfaAuthenticated: mfaUsed,
    sourceAccessKeyId: '',
    userName: user.userName,
  };
  sim.data.sessions[session.accessKeyId] = session;
  vars[consoleSessionVar(user.userName)] = session;
}

/** A console action on IAM, recorded with the console session and `sessionCredentialFromConsole`. */
function consoleCall(
  sim: SimState,
  actor: Actor,
  user: IamUser,
  session: StsSession,
  eventName: string,
  requestParameters: unknown,
  responseElements: unknown,
): void {
  const record: CloudTrailRecord = {
    ...base(sim, actor),
    userIdentity: {
      type: 'IAMUser',
      principalId: user.userId,
      arn: user.arn,
      accountId: VICTIM_ACCOUNT,
      accessKeyId: session.accessKeyId,
      userName: user.userName,
      sessionContext: {
        sessionIssuer: {},
        webIdFederationData: {},
        attributes: {
          creationDate: session.issuedAt,
          mfaAuthenticated: session.mfaAuthenticated ? 'true' : 'false',
        },
      },
    },
    eventSource: 'iam.amazonaws.com',
    eventName,
    requestParameters,
    responseElements,
    requestID: sim.ids.uuid(),
    readOnly: false,
    eventType: 'AwsApiCall',
    sessionCredentialFromConsole: 'true',
    tlsDetails: TLS('iam.amazonaws.com'),
  };
  storeRecord(sim, record);
}

/**
 * What the AWS console does for a person in front of it, applied in-process: sign-in events
 * (which no API produces) and the IAM console actions that follow, with the actor's IP and
 * browser user agent.
 */
export function runConsoleAction(sim: SimState, action: ConsoleAction, actor: Actor, vars: Vars): void {
  const account = sim.accountOrThrow(VICTIM_ACCOUNT);
  const user = getUser(account, action.userName);
  if (action.kind === 'login')
    return login(sim, actor, user, action.success && Boolean(user.loginProfile), vars);
  const session = vars[consoleSessionVar(user.userName)] as StsSession | undefined;
  if (!session) throw new Error(`no console session for ${user.userName}: sign in first`);
  switch (action.kind) {
    case 'updateLoginProfile': {
      user.loginProfile = {
        createDate: user.loginProfile?.createDate ?? sim.nowIso(),
        passwordResetRequired: false,
        password: action.password,
      };
      consoleCall(
        sim,
        actor,
        user,
        session,
        'UpdateLoginProfile',
        { userName: user.userName, passwordResetRequired: false },
        null,
      );
      return;
    }
    case 'addVirtualMfa': {
      const serialNumber = `arn:aws:iam::${VICTIM_ACCOUNT}:mfa/${action.deviceName}`;
      const now = sim.nowIso();
      account.iam.mfaDevices[serialNumber] = {
        serialNumber,
        base32Seed: sim.ids.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 64),
        createDate: now,
        userName: user.userName,
        enableDate: now,
      };
      consoleCall(
        sim,
        actor,
        user,
        session,
        'CreateVirtualMFADevice',
        { virtualMFADeviceName: action.deviceName, path: '/' },
        { virtualMFADevice: { serialNumber } },
      );
      user.mfaDevices.push({ serialNumber, enableDate: now });
      consoleCall(
        sim,
        actor,
        user,
        session,
        'EnableMFADevice',
        { userName: user.userName, serialNumber },
        null,
      );
      vars[`mfa:${user.userName}`] = serialNumber;
      return;
    }
    case 'createAccessKey': {
      const key = createAccessKey(sim, account, user.userName);
      consoleCall(
        sim,
        actor,
        user,
        session,
        'CreateAccessKey',
        { userName: user.userName },
        {
          accessKey: {
            accessKeyId: key.accessKeyId,
            status: key.status,
            userName: user.userName,
            createDate: javaDate(Date.parse(key.createDate)),
          },
        },
      );
      vars[`key:${user.userName}`] = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
      return;
    }
  }
}
