import { isoSeconds } from '../clock.js';
import type { SimState } from '../state.js';
import type { CloudTrailRecord } from './model.js';
import { storeRecord } from './store.js';

/** A console sign-in to record (the simulator has no console; scenarios and drills call this). */
export interface ConsoleLogin {
  accountId: string;
  /** IAM user name, or undefined for the root user. */
  userName?: string | undefined;
  success: boolean;
  mfaUsed?: boolean;
  sourceIp: string;
  userAgent: string;
}

/**
 * Record a `ConsoleLogin` event as AWS sign-in writes it (aws-facts §1.3): eventSource
 * signin.amazonaws.com, us-east-1, no access key, `responseElements.ConsoleLogin` Success/Failure,
 * `additionalEventData` with LoginTo/MobileVersion/MFAUsed, no requestID. A successful login
 * updates the user's PasswordLastUsed.
 */
export function recordConsoleLogin(sim: SimState, login: ConsoleLogin): CloudTrailRecord {
  const account = sim.accountOrThrow(login.accountId);
  const user = login.userName ? account.iam.users[login.userName] : undefined;
  const identity: Record<string, unknown> = login.userName
    ? {
        type: 'IAMUser',
        principalId: user?.userId ?? '',
        ...(login.success
          ? { arn: user?.arn ?? `arn:aws:iam::${login.accountId}:user/${login.userName}` }
          : {}),
        accountId: login.accountId,
        ...(login.success ? {} : { accessKeyId: '' }),
        userName: login.userName,
      }
    : {
        type: 'Root',
        principalId: login.accountId,
        arn: `arn:aws:iam::${login.accountId}:root`,
        accountId: login.accountId,
        accessKeyId: '',
      };
  const mfa = login.mfaUsed ?? false;
  const record: CloudTrailRecord = {
    eventVersion: '1.08',
    userIdentity: identity,
    eventTime: sim.nowIso(),
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: login.sourceIp,
    userAgent: login.userAgent.slice(0, 1024),
    ...(login.success ? {} : { errorMessage: 'Failed authentication' }),
    requestParameters: null,
    responseElements: { ConsoleLogin: login.success ? 'Success' : 'Failure' },
    additionalEventData: {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAUsed: mfa ? 'Yes' : 'No',
      ...(mfa && user?.mfaDevices[0] ? { MFAIdentifier: user.mfaDevices[0].serialNumber } : {}),
    },
    eventID: sim.ids.uuid(),
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: login.accountId,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: 'signin.aws.amazon.com',
    },
  };
  if (login.success) {
    if (user) user.passwordLastUsed = isoSeconds(sim.clock.now());
    else if (!login.userName) account.iam.rootPasswordLastUsed = sim.nowIso();
  }
  storeRecord(sim, record);
  return record;
}
