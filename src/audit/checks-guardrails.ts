import { everyRegion, needs, verdict, type CheckDef } from './check.js';

/** Organisation guard-rails and account-wide defaults. */
export const GUARDRAIL_CHECKS: CheckDef[] = [
  {
    id: 'organizations.scps',
    title: 'Service control policies beyond FullAWSAccess apply to this account',
    area: 'guard-rails',
    cis: [],
    fix: 'Attach the SCPs `tourniquet prevent` writes (region allow-list, protect CloudTrail/GuardDuty/Config, deny root, require IMDSv2…) from the management account.',
    judge: (f) =>
      needs(f.organization, (org) => {
        if (!org.inOrganization)
          return {
            status: 'not-applicable',
            why: 'the account belongs to no AWS Organization (SCPs need one)',
            evidence: [],
          };
        return needs(org.scps, (names) =>
          verdict(
            names.filter((n) => n !== 'FullAWSAccess').length
              ? []
              : [`only ${names.join(', ') || 'no policy'} applies to ${f.account}`],
            names.map((n) => `SCP ${n}`),
          ),
        );
      }),
  },
  {
    id: 's3.account-public-access-block',
    title: 'S3 Block Public Access is on for the whole account',
    area: 'data',
    cis: ['2.1.4'],
    fix: '`aws s3control put-public-access-block --account-id ACCOUNT --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true`',
    judge: (f) =>
      needs(f.accountPublicAccessBlock, (pab) =>
        verdict(
          !pab
            ? ['no account-level Block Public Access configuration']
            : Object.entries(pab)
                .filter(([, on]) => !on)
                .map(([name]) => `${name} is false`),
          ['all four settings true'],
        ),
      ),
  },
  {
    id: 'ec2.ebs-default-encryption',
    title: 'EBS encryption by default is on in every enabled region',
    area: 'compute',
    cis: ['2.2.1'],
    fix: '`aws ec2 enable-ebs-encryption-by-default --region R` in each region listed.',
    judge: (f) =>
      everyRegion(
        f.ebsEncryptionByDefault,
        (region, on) => (on ? undefined : `${region}: off`),
        `on in all ${f.regions.length} regions`,
      ),
  },
  {
    id: 'ec2.imdsv2',
    title: 'IMDSv2 is required: account default in every region and every instance',
    area: 'compute',
    cis: ['5.6'],
    fix: '`aws ec2 modify-instance-metadata-defaults --http-tokens required --region R`; for running instances `aws ec2 modify-instance-metadata-options --instance-id I --http-tokens required`.',
    judge: (f) => {
      const defaults = everyRegion(
        f.metadataDefaultTokens,
        (region, tokens) =>
          tokens === 'required'
            ? undefined
            : `${region}: account default HttpTokens ${tokens ?? 'not set (instances default to optional)'}`,
        '',
      );
      const instances = everyRegion(
        f.instanceTokens,
        (region, list) => {
          const open = list.filter((i) => i.httpTokens !== 'required').map((i) => i.id);
          return open.length ? `${region}: instances allowing IMDSv1: ${open.join(', ')}` : undefined;
        },
        '',
      );
      if (defaults.status === 'fail' || instances.status === 'fail')
        return { status: 'fail', evidence: [...defaults.evidence, ...instances.evidence].filter(Boolean) };
      if (defaults.status === 'not-checked' || instances.status === 'not-checked')
        return {
          status: 'not-checked',
          why: [defaults.why, instances.why].filter(Boolean).join('; '),
          evidence: [],
        };
      return {
        status: 'pass',
        evidence: [`required in all ${f.regions.length} regions, no instance allows IMDSv1`],
      };
    },
  },
];
