import { call, times } from './record.js';
import { fires, quiet, type Sample } from './sample.js';

/** Lambda records its calls with the API version in the event name, as the service logs them. */
const FN = 'arn:aws:lambda:us-east-1:{ACCOUNT}:function:payments';
const create = (more: Record<string, unknown> = {}) => ({
  functionName: 'worker',
  runtime: 'python3.12',
  role: 'arn:aws:iam::{ACCOUNT}:role/worker',
  handler: 'app.handler',
  code: { s3Bucket: 'deploy-artifacts', s3Key: 'worker.zip' },
  timeout: 30,
  memorySize: 256,
  publish: false,
  packageType: 'Zip',
  environment: {},
  ...more,
});
const configure = (more: Record<string, unknown>) => ({ functionName: FN, environment: {}, ...more });

export const LAMBDA_SAMPLES: Sample[] = [
  fires(
    'lambda-public-permission',
    'a function made invocable by anyone',
    call('lambda:AddPermission20150331v2', {
      functionName: FN,
      statementId: 'pub',
      action: 'lambda:InvokeFunction',
      principal: '*',
    }),
  ),
  quiet(
    'lambda-public-permission',
    'a function made invocable by S3 events of the account’s bucket',
    call('lambda:AddPermission20150331v2', {
      functionName: FN,
      statementId: 's3',
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
      sourceArn: 'arn:aws:s3:::uploads',
      sourceAccount: '{ACCOUNT}',
    }),
  ),
  fires(
    'lambda-public-url',
    'a function URL without authentication',
    call('lambda:CreateFunctionUrlConfig20211031', { functionName: FN, authType: 'NONE' }),
  ),
  quiet(
    'lambda-public-url',
    'a function URL with IAM authentication',
    call('lambda:CreateFunctionUrlConfig20211031', { functionName: FN, authType: 'AWS_IAM' }),
  ),
  fires(
    'lambda-code-updated',
    'a function’s code replaced',
    call('lambda:UpdateFunctionCode20150331v2', { functionName: FN, publish: true, dryRun: false }),
  ),
  quiet('lambda-code-updated', 'a function read', call('lambda:GetFunction20150331v2', { functionName: FN })),
  fires(
    'lambda-layer-added',
    'a layer of the account attached',
    call(
      'lambda:UpdateFunctionConfiguration20150331v2',
      configure({ layers: ['arn:aws:lambda:us-east-1:{ACCOUNT}:layer:utils:3'] }),
    ),
  ),
  quiet(
    'lambda-layer-added',
    'a function’s timeout raised',
    call('lambda:UpdateFunctionConfiguration20150331v2', configure({ timeout: 60 })),
  ),
  fires('lambda-function-created', 'a function created', call('lambda:CreateFunction20150331', create())),
  quiet(
    'lambda-function-created',
    'a function the caller may not create',
    call('lambda:CreateFunction20150331', create(), {
      error: [
        'AccessDeniedException',
        'User: arn:aws:iam::{ACCOUNT}:user/ana is not authorized to perform: lambda:CreateFunction',
      ],
    }),
  ),
  fires(
    'lambda-layer-foreign-account',
    'a layer published by another account attached',
    call(
      'lambda:UpdateFunctionConfiguration20150331v2',
      configure({ layers: ['arn:aws:lambda:us-east-1:{FOREIGN}:layer:telemetry:12'] }),
    ),
  ),
  quiet(
    'lambda-layer-foreign-account',
    'a layer of the account attached',
    call(
      'lambda:UpdateFunctionConfiguration20150331v2',
      configure({ layers: ['arn:aws:lambda:us-east-1:{ACCOUNT}:layer:utils:4'] }),
    ),
  ),
  fires(
    'lambda-role-changed',
    'a function given another role',
    call(
      'lambda:UpdateFunctionConfiguration20150331v2',
      configure({ role: 'arn:aws:iam::{ACCOUNT}:role/admin' }),
    ),
  ),
  quiet(
    'lambda-role-changed',
    'a function’s memory raised',
    call('lambda:UpdateFunctionConfiguration20150331v2', configure({ memorySize: 1024 })),
  ),
  fires(
    'lambda-image-foreign-registry',
    'a function running an image from another account’s registry',
    call(
      'lambda:CreateFunction20150331',
      create({
        packageType: 'Image',
        code: { imageUri: '{FOREIGN}.dkr.ecr.us-east-1.amazonaws.com/tool:latest' },
      }),
    ),
  ),
  quiet(
    'lambda-image-foreign-registry',
    'a function running an image of the account’s registry',
    call(
      'lambda:CreateFunction20150331',
      create({
        packageType: 'Image',
        code: { imageUri: '{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/worker:v3' },
      }),
    ),
  ),
  fires(
    'lambda-code-signing-removed',
    'code signing removed from a function',
    call('lambda:DeleteFunctionCodeSigningConfig20200630', { functionName: FN }),
  ),
  quiet(
    'lambda-code-signing-removed',
    'code signing attached to a function',
    call('lambda:PutFunctionCodeSigningConfig20200630', {
      functionName: FN,
      codeSigningConfigArn: 'arn:aws:lambda:us-east-1:{ACCOUNT}:code-signing-config:csc-0a1b2c3d4e5f67890',
    }),
  ),
  fires(
    'lambda-mining-sized',
    'a 10 GB, 15-minute function',
    call('lambda:CreateFunction20150331', create({ memorySize: 10240, timeout: 900 })),
  ),
  quiet(
    'lambda-mining-sized',
    'a 10 GB function with a 30-second timeout',
    call('lambda:CreateFunction20150331', create({ memorySize: 10240, timeout: 30 })),
  ),
  fires(
    'lambda-functions-created-burst',
    'six functions created in three regions in ten minutes',
    times(6, (i) =>
      call('lambda:CreateFunction20150331', create({ functionName: `w${i}` }), {
        at: i * 1.5,
        region: ['us-east-1', 'us-west-2', 'eu-west-1'][i % 3],
      }),
    ),
  ),
  quiet(
    'lambda-functions-created-burst',
    'a deployment creating two functions',
    times(2, (i) =>
      call('lambda:CreateFunction20150331', create({ functionName: `api-${i}` }), {
        at: i,
        as: 'AssumedRole',
      }),
    ),
  ),
  fires(
    'lambda-invoke-burst',
    'a function invoked 120 times in five minutes',
    times(120, (i) => call('lambda:Invoke', { functionName: FN, invocationType: 'Event' }, { at: i / 24 })),
  ),
  quiet(
    'lambda-invoke-burst',
    'a function invoked ten times',
    times(10, (i) => call('lambda:Invoke', { functionName: FN }, { at: i })),
  ),
];
