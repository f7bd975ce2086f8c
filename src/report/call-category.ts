import type { Category } from '../detect/finding.js';
import { baseEventName } from './activity.js';

/**
 * The category of an attacker call that no finding covers, from what the call does: first an
 * exact call name, then the first matching pattern on `source:name`. Every call matches the last
 * line, so the timeline has no "uncategorised" lane; the report says which categories came from
 * a finding and which from the call.
 */
const BY_CALL: [RegExp, Category][] = [
  [/^sts:(AssumeRole\w*)$/, 'lateral-movement'],
  [/^(sts:GetSessionToken|sts:GetFederationToken|signin:\w+)$/, 'credential-access'],
  [/^iam:(GenerateCredentialReport|GenerateServiceLastAccessedDetails)$/, 'recon'],
  [
    /^(secretsmanager:GetSecretValue|secretsmanager:BatchGetSecretValue|ssm:GetParameters?\w*)$/,
    'credential-access',
  ],
  [/^(s3:GetObject|s3:ListObjects\w*|dynamodb:(Scan|Query|GetItem)|lambda:GetFunction)$/, 'data-access'],
  [
    /^(ec2:ModifySnapshotAttribute|ec2:ModifyImageAttribute|s3:PutBucketPolicy|s3:PutBucketAcl|ec2:CreateSnapshot)$/,
    'exfiltration',
  ],
  [
    /^(cloudtrail|guardduty|config|securityhub|logs|access-analyzer):(Stop|Delete|Disable|Update|Put)\w*$/,
    'defense-evasion',
  ],
  [/^iam:(Attach|Put|Add|Create|Update|Set|Enable|Upload)\w*$/, 'persistence'],
  [/^(ssm:SendCommand|ssm:StartSession|lambda:Invoke\w*|ec2-instance-connect:\w+)$/, 'execution'],
  [/^ec2:(RunInstances|RequestSpotInstances|RequestSpotFleet|CreateFleet)$/, 'resource-creation'],
  [/^\w[\w-]*:(Get|List|Describe|Head|Lookup|Search|Scan|Query|Check|Validate|Estimate)\w*$/, 'recon'],
  [/^\w[\w-]*:(Delete|Terminate|Remove|Detach|Disassociate|Revoke|Stop|Disable|Cancel)\w*$/, 'impact'],
  [/^\w[\w-]*:\w*/, 'resource-creation'],
];

/** The category a call falls in by itself (`eventSource` as CloudTrail writes it). */
export function categoryOfCall(eventSource: string, eventName: string): Category {
  const call = `${eventSource.replace(/\.amazonaws\.com$/, '')}:${baseEventName(eventName)}`;
  return BY_CALL.find(([pattern]) => pattern.test(call))?.[1] ?? 'recon';
}
