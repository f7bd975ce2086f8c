import type { CloudTrailRecord } from '../../cloudtrail/model.js';
import type { AccountState, SimState } from '../../state.js';
import type { Ec2AccountState } from '../ec2/model.js';
import { emptyGuardDuty, type Detector, type Finding, type GuardDutyState } from './model.js';
import { suppressed } from './suppression.js';
import { ANOMALY_RULES, AWS_FIRST_OCTETS, MINING_POOL_DOMAINS } from './rules.js';

/** GuardDuty publishes a new finding about five minutes after the activity (GuardDuty UG). */
export const FINDING_DELAY_MS = 5 * 60 * 1000;
const DAY_MS = 86_400_000;

/** The account's GuardDuty slice. */
export function guardDutyOf(sim: SimState, accountId: string): GuardDutyState {
  return sim.serviceState(accountId, 'guardduty', emptyGuardDuty);
}

function baseName(name: string): string {
  return name.replace(/20\d{6}(v\d)?$/, '');
}

function isoMs(time: number): string {
  return new Date(time).toISOString();
}

interface Identity {
  type?: string;
  arn?: string;
  principalId?: string;
  accessKeyId?: string;
  userName?: string;
  sessionContext?: { sessionIssuer?: { arn?: string; userName?: string } };
}

/** The principal GuardDuty's behaviour model follows: the user, or the role behind a session. */
function principalOf(r: CloudTrailRecord): string | undefined {
  const u = r.userIdentity as Identity;
  if (u.type === 'AssumedRole') return u.sessionContext?.sessionIssuer?.arn;
  return u.arn;
}

function isAwsIp(ip: string): boolean {
  const first = Number(ip.split('.')[0]);
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && AWS_FIRST_OCTETS.has(first);
}

function accessKeyDetails(r: CloudTrailRecord) {
  const u = r.userIdentity as Identity;
  return {
    accessKeyId: u.accessKeyId ?? '',
    principalId: u.principalId ?? '',
    userName:
      u.type === 'AssumedRole' ? (u.sessionContext?.sessionIssuer?.userName ?? '') : (u.userName ?? ''),
    userType: u.type ?? 'Unknown',
  };
}

function apiCallAction(r: CloudTrailRecord) {
  return {
    actionType: 'AWS_API_CALL',
    awsApiCallAction: {
      api: r.eventName,
      serviceName: r.eventSource,
      callerType: 'Remote IP',
      ...(r.errorCode ? { errorCode: r.errorCode } : {}),
      userAgent: r.userAgent ?? '',
      remoteIpDetails: {
        ipAddressV4: r.sourceIPAddress,
        organization: { asn: '0', asnOrg: 'unknown', isp: 'unknown', org: 'unknown' },
      },
      affectedResources: {},
    },
  };
}

/** Raise (or aggregate into) a finding of a detector. */
function raise(
  sim: SimState,
  account: AccountState,
  region: string,
  detector: Detector,
  key: string,
  at: number,
  build: () => Pick<Finding, 'type'> & Record<string, unknown>,
): void {
  const existingId = detector.raised[key];
  const existing = existingId ? detector.findings.find((f) => f.id === existingId) : undefined;
  const seen = isoMs(at);
  if (existing) {
    const service = existing.service as { count: number; eventLastSeen: string };
    service.count += 1;
    service.eventLastSeen = seen;
    existing.updatedAt = isoMs(at + FINDING_DELAY_MS);
    return;
  }
  const id = sim.ids.hex(32);
  const body = build();
  const finding: Finding = {
    schemaVersion: '2.0',
    accountId: account.accountId,
    region,
    partition: 'aws',
    id,
    arn: `arn:aws:guardduty:${region}:${account.accountId}:detector/${detector.detectorId}/finding/${id}`,
    createdAt: isoMs(at + FINDING_DELAY_MS),
    updatedAt: isoMs(at + FINDING_DELAY_MS),
    confidence: 5,
    ...body,
    service: {
      serviceName: 'guardduty',
      detectorId: detector.detectorId,
      archived: false,
      count: 1,
      eventFirstSeen: seen,
      eventLastSeen: seen,
      resourceRole: 'TARGET',
      ...(body.service as Record<string, unknown>),
    },
  };
  if (suppressed(detector, finding)) (finding.service as { archived: boolean }).archived = true;
  detector.findings.push(finding);
  detector.raised[key] = id;
}

function iamFinding(r: CloudTrailRecord, type: string, severity: number, title: string, description: string) {
  return {
    type,
    severity,
    title,
    description,
    resource: { resourceType: 'AccessKey', accessKeyDetails: accessKeyDetails(r) },
    service: { action: apiCallAction(r), additionalInfo: { value: '{}', type: 'default' } },
  };
}

function cryptoFindings(
  sim: SimState,
  account: AccountState,
  r: CloudTrailRecord,
  detector: Detector,
  at: number,
): void {
  const ec2 = account.services.ec2 as Ec2AccountState | undefined;
  const items =
    (r.responseElements as { instancesSet?: { items?: { instanceId?: string }[] } } | null)?.instancesSet
      ?.items ?? [];
  for (const item of items) {
    const instance = item.instanceId ? ec2?.regions[r.awsRegion]?.instances[item.instanceId] : undefined;
    if (!instance?.userData) continue;
    const script = Buffer.from(instance.userData, 'base64').toString('utf8');
    const domain = MINING_POOL_DOMAINS.find((d) => script.includes(d));
    if (!domain) continue;
    raise(
      sim,
      account,
      r.awsRegion,
      detector,
      `crypto:${instance.instanceId}:${domain}`,
      at + 2 * 60_000,
      () => ({
        type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
        severity: 8,
        title: `The EC2 instance ${instance.instanceId} is querying a domain name that is associated with Bitcoin-related activity.`,
        description: `The EC2 instance ${instance.instanceId} is querying a domain name ${domain} that is associated with cryptocurrency-related activity.`,
        resource: {
          resourceType: 'Instance',
          instanceDetails: {
            instanceId: instance.instanceId,
            instanceType: instance.instanceType,
            imageId: instance.imageId,
            launchTime: instance.launchTime,
            availabilityZone: instance.availabilityZone,
            instanceState: 'running',
            networkInterfaces: [
              {
                publicIp: instance.publicIpAddress ?? '',
                privateIpAddress: instance.privateIpAddress,
                vpcId: instance.vpcId,
                subnetId: instance.subnetId,
              },
            ],
          },
        },
        service: {
          action: {
            actionType: 'DNS_REQUEST',
            dnsRequestAction: { domain, protocol: 'UDP', blocked: false },
          },
          additionalInfo: { value: '{"threatListName":"ProofPoint"}', type: 'default' },
        },
      }),
    );
  }
}

/** Analyse one event with the detector of its region. */
function analyse(sim: SimState, account: AccountState, gd: GuardDutyState, r: CloudTrailRecord): void {
  const at = Date.parse(r.eventTime);
  const principal = principalOf(r);
  const history = principal ? (gd.ipHistory[principal] ??= {}) : undefined;
  const firstSeen = history?.[r.sourceIPAddress];
  const detector = gd.detectors[r.awsRegion];
  const learn = () => {
    if (history && firstSeen === undefined) history[r.sourceIPAddress] = r.eventTime;
  };
  if (
    !detector ||
    detector.status !== 'ENABLED' ||
    Date.parse(detector.createdAt) > at ||
    r.eventCategory !== 'Management'
  ) {
    learn();
    return;
  }
  const name = baseName(r.eventName);
  const u = r.userIdentity as Identity;
  const ok = !r.errorCode;
  if (
    ok &&
    (name === 'StopLogging' || name === 'DeleteTrail') &&
    r.eventSource === 'cloudtrail.amazonaws.com'
  ) {
    raise(sim, account, r.awsRegion, detector, `stealth:${principal}:${name}`, at, () =>
      iamFinding(
        r,
        'Stealth:IAMUser/CloudTrailLoggingDisabled',
        2,
        'AWS CloudTrail trail was disabled.',
        `AWS CloudTrail trail was disabled by ${u.arn ?? 'a principal'} calling ${name}.`,
      ),
    );
  }
  if (ok && name === 'RunInstances') cryptoFindings(sim, account, r, detector, at);
  // Instance-role credentials (session named after the instance) used from outside AWS.
  const sessionName = u.type === 'AssumedRole' ? ((u.arn ?? '').split('/').pop() ?? '') : '';
  if (/^i-[0-9a-f]{8,17}$/.test(sessionName) && !isAwsIp(r.sourceIPAddress)) {
    raise(sim, account, r.awsRegion, detector, `exfil:${u.accessKeyId ?? ''}:${r.sourceIPAddress}`, at, () =>
      iamFinding(
        r,
        'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
        8,
        `Credentials for instance role ${u.sessionContext?.sessionIssuer?.userName ?? ''} used from external IP address.`,
        `Credentials created exclusively for an EC2 instance using instance role ${u.sessionContext?.sessionIssuer?.userName ?? ''} have been used from external IP address ${r.sourceIPAddress}.`,
      ),
    );
  }
  // Anomalies: a new source IP (first seen within 24 h) for a principal with an older history.
  const hasOlder = history !== undefined && Object.values(history).some((t) => at - Date.parse(t) > DAY_MS);
  const isNew = firstSeen === undefined || at - Date.parse(firstSeen) <= DAY_MS;
  if (principal && hasOlder && isNew && u.type !== 'Root') {
    const rule = ANOMALY_RULES.find((x) => x.matches(name, r.eventSource));
    if (rule) {
      raise(sim, account, r.awsRegion, detector, `${rule.type}:${principal}:${r.sourceIPAddress}`, at, () =>
        iamFinding(r, rule.type, rule.severity, rule.title, rule.description),
      );
    }
  }
  learn();
}

/**
 * Run GuardDuty's analysis over the account's events up to five minutes before now (findings
 * follow the simulated clock). Called lazily by the API and at the end of a scenario.
 */
export function scanFindings(sim: SimState): void {
  const horizon = sim.clock.nowMs() - FINDING_DELAY_MS;
  for (const account of sim.accounts()) {
    const gd = guardDutyOf(sim, account.accountId);
    const events = account.cloudtrail.events;
    while (gd.cursor < events.length) {
      const r = events[gd.cursor]!;
      if (Date.parse(r.eventTime) > horizon) break;
      analyse(sim, account, gd, r);
      gd.cursor += 1;
    }
  }
}
