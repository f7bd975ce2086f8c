import { everyRegion, needs, verdict, type CheckDef, type Verdict } from './check.js';
import type { AuditFacts, TrailFacts } from './facts.js';

function trails(f: AuditFacts, judge: (t: TrailFacts[]) => Verdict): Verdict {
  return needs(f.trails, judge);
}

/** A trail logs S3 data events of `bucket` for reads and writes. */
function coversBucket(t: TrailFacts, bucket: string): { read: boolean; write: boolean } {
  const selectors = t.s3DataEvents.ok ? t.s3DataEvents.value : [];
  const matching = selectors.filter(
    (s) =>
      s.value === 'arn:aws:s3' ||
      s.value === 'arn:aws:s3:::' ||
      s.value.startsWith(`arn:aws:s3:::${bucket}/`),
  );
  return {
    read: matching.some((s) => s.readWrite !== 'WriteOnly'),
    write: matching.some((s) => s.readWrite !== 'ReadOnly'),
  };
}

const isLogging = (t: TrailFacts) => t.logging.ok && t.logging.value;

/** CloudTrail, GuardDuty and Access Analyzer: whether an intrusion would be recorded and seen. */
export const LOGGING_CHECKS: CheckDef[] = [
  {
    id: 'cloudtrail.multi-region',
    title: 'A multi-region trail is logging all management events',
    area: 'logging',
    cis: ['3.1'],
    fix: '`aws cloudtrail create-trail --name main --s3-bucket-name LOG-BUCKET --is-multi-region-trail --enable-log-file-validation`, then `start-logging`.',
    judge: (f) =>
      trails(f, (all) => {
        const good = all.filter(
          (t) => t.multiRegion && isLogging(t) && t.managementAll.ok && t.managementAll.value,
        );
        if (good.length)
          return { status: 'pass', evidence: good.map((t) => `${t.name} (home ${t.homeRegion})`) };
        const unread = all.filter((t) => t.multiRegion && (!t.logging.ok || !t.managementAll.ok));
        if (unread.length)
          return {
            status: 'not-checked',
            why: unread
              .map((t) => (!t.logging.ok ? t.logging.why : t.managementAll.ok ? '' : t.managementAll.why))
              .join('; '),
            evidence: [],
          };
        return verdict([
          all.length
            ? `no logging multi-region trail with all management events: ${all.map((t) => `${t.name} (${t.multiRegion ? 'multi-region' : `only ${t.homeRegion}`}${isLogging(t) ? '' : ', not logging'})`).join(', ')}`
            : 'no trail at all',
        ]);
      }),
  },
  {
    id: 'cloudtrail.log-file-validation',
    title: 'Every trail has log-file validation on',
    area: 'logging',
    cis: ['3.2'],
    fix: '`aws cloudtrail update-trail --name TRAIL --enable-log-file-validation`: digest files then prove the logs were not altered.',
    judge: (f) =>
      trails(f, (all) =>
        all.length === 0
          ? verdict(['no trail'])
          : verdict(
              all.filter((t) => !t.logFileValidation).map((t) => `${t.name}: validation off`),
              all.map((t) => `${t.name}: on`),
            ),
      ),
  },
  {
    id: 'cloudtrail.separate-bucket',
    title: 'Trails deliver to a bucket in another account (log archive)',
    area: 'logging',
    cis: [],
    fix: 'Deliver to a bucket in a dedicated log-archive account (an organisation trail does this): an intruder with administrator rights here can then not delete the logs.',
    judge: (f) =>
      trails(f, (all) =>
        needs(f.buckets, (own) =>
          all.length === 0
            ? verdict(['no trail'])
            : verdict(
                all
                  .filter((t) => own.includes(t.bucket))
                  .map((t) => `${t.name} → ${t.bucket}, a bucket of this account`),
                all.map((t) => `${t.name} → ${t.bucket} (not in this account)`),
              ),
        ),
      ),
  },
  {
    id: 'cloudtrail.s3-data-events',
    title: 'S3 data events (read and write) are logged for the data buckets',
    area: 'logging',
    cis: ['3.8', '3.9'],
    fix: 'Add S3 data-event selectors for these buckets to a logging trail (`aws cloudtrail put-event-selectors`), or advanced selectors with `resources.ARN` prefixes.',
    judge: (f) =>
      trails(f, (all) =>
        needs(f.buckets, (own) => {
          const logBuckets = new Set(all.map((t) => t.bucket));
          const unread = all.filter((t) => !t.s3DataEvents.ok);
          const data = own.filter((b) => !logBuckets.has(b));
          const gaps = data.flatMap((b) => {
            const cover = all.filter(isLogging).map((t) => coversBucket(t, b));
            const read = cover.some((c) => c.read);
            const write = cover.some((c) => c.write);
            return read && write
              ? []
              : [`${b}: no ${!read && !write ? 'read or write' : !read ? 'read' : 'write'} data events`];
          });
          if (gaps.length && unread.length)
            return {
              status: 'not-checked',
              why: unread.map((t) => (t.s3DataEvents.ok ? '' : t.s3DataEvents.why)).join('; '),
              evidence: gaps,
            };
          return verdict(gaps, [`${data.length} data buckets covered`]);
        }),
      ),
  },
  {
    id: 'guardduty.every-region',
    title: 'GuardDuty is enabled in every enabled region',
    area: 'detection',
    cis: [],
    fix: 'Enable GuardDuty in each region listed (`aws guardduty create-detector --enable --region R`), or org-wide from a delegated administrator.',
    judge: (f) =>
      everyRegion(
        f.guardDuty,
        (region, state) =>
          state === 'ENABLED'
            ? undefined
            : `${region}: ${state === 'none' ? 'no detector' : 'detector disabled'}`,
        `enabled in all ${f.regions.length} regions`,
      ),
  },
  {
    id: 'access-analyzer.every-region',
    title: 'IAM Access Analyzer is active in every enabled region',
    area: 'detection',
    cis: ['1.20'],
    fix: '`aws accessanalyzer create-analyzer --analyzer-name account --type ACCOUNT --region R` in each region listed.',
    judge: (f) =>
      everyRegion(
        f.analyzers,
        (region, list) => (list.length ? undefined : `${region}: no analyzer`),
        `active in all ${f.regions.length} regions`,
      ),
  },
  {
    id: 'access-analyzer.external-access',
    title: 'No active Access Analyzer finding of external access',
    area: 'detection',
    cis: [],
    fix: 'Review each finding: remove the grant from the resource policy or role trust, or archive the finding with the reason it is intended.',
    judge: (f) =>
      needs(f.analyzerFindings, (findings) => {
        const analyzed = Object.values(f.analyzers).some((r) => r.ok && r.value.length > 0);
        if (!analyzed)
          return { status: 'not-checked', why: 'no active analyzer in any region', evidence: [] };
        const unique = [
          ...new Set(
            findings.map(
              (x) => `${x.resource} (${x.resourceType}) → ${x.principal}${x.isPublic ? ', public' : ''}`,
            ),
          ),
        ];
        return verdict(unique);
      }),
  },
];
