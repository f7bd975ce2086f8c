import type { ScenarioDef, TruthNote } from '../types.js';
import { W, amiFor } from '../world.js';
import { attackerStep as step, MIN, HOUR } from './steps.js';

/** A region no trail covers (the organisation's trail is single-region in us-east-1). */
const HIDDEN_REGION = 'ca-central-1';

/**
 * Defense evasion: the attacker reads the logging set-up, narrows the trail's event selectors
 * (no data events, write-only), stops logging, deletes the GuardDuty detector, then works in a
 * region no trail covers, where only Event history still sees it.
 */
export const defenseEvasion: ScenarioDef = {
  name: 'defense-evasion',
  summary:
    'leaked key → event selectors narrowed, StopLogging, GuardDuty detector deleted, then instances launched in a region without a trail',
  attackStartsBeforeEnd: 4 * HOUR,
  leakedKey: true,
  attackers: [
    {
      name: 'attacker',
      kind: 'attacker',
      ip: '193.142.146.35',
      userAgent:
        'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/cloudtrail#1.42.3',
    },
  ],
  steps: [
    step(0, 'sts', 'GetCallerIdentity', {}),
    step(MIN, 'cloudtrail', 'DescribeTrails', {}),
    step(MIN + 10_000, 'cloudtrail', 'GetTrailStatus', { Name: W.trail }),
    step(MIN + 20_000, 'cloudtrail', 'GetEventSelectors', { TrailName: W.trail }),
    step(
      3 * MIN,
      'cloudtrail',
      'PutEventSelectors',
      {
        TrailName: W.trail,
        EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] }],
      },
      {
        truth: {
          modified: [
            {
              type: 'AWS::CloudTrail::Trail',
              id: W.trail,
              region: W.region,
              detail: 'event selectors narrowed: write-only, no S3 data events',
            },
          ],
        },
      },
    ),
    step(
      5 * MIN,
      'cloudtrail',
      'StopLogging',
      { Name: W.trail },
      {
        truth: {
          modified: [
            { type: 'AWS::CloudTrail::Trail', id: W.trail, region: W.region, detail: 'logging stopped' },
          ],
          clean: [{ check: 'trailLogging', trailName: W.trail }],
        },
      },
    ),
    step(
      7 * MIN,
      'guardduty',
      'ListDetectors',
      {},
      { save: (out, v) => (v.detector = (out.DetectorIds as string[])[0]) },
    ),
    step(7 * MIN + 20_000, 'guardduty', 'DeleteDetector', (v) => ({ DetectorId: v.detector }), {
      truth: (_out, v) => ({
        modified: [
          { type: 'AWS::GuardDuty::Detector', id: String(v.detector), region: W.region, detail: 'deleted' },
        ],
        clean: [{ check: 'detectorPresent', region: W.region }],
      }),
    }),
    step(15 * MIN, 'ec2', 'DescribeInstances', {}, { region: HIDDEN_REGION }),
    step(
      16 * MIN,
      'ec2',
      'RunInstances',
      {
        ImageId: amiFor(HIDDEN_REGION),
        InstanceType: 'c5.24xlarge',
        MinCount: 3,
        MaxCount: 3,
      },
      {
        region: HIDDEN_REGION,
        truth: (out): TruthNote => {
          const ids = (out.Instances as { InstanceId: string }[]).map((i) => i.InstanceId);
          return {
            created: ids.map((id) => ({
              type: 'AWS::EC2::Instance',
              id,
              region: HIDDEN_REGION,
              detail: 'launched where no trail logs',
            })),
            clean: ids.map((instanceId) => ({
              check: 'instanceNotRunning',
              region: HIDDEN_REGION,
              instanceId,
            })),
          };
        },
      },
    ),
  ],
};
