import { createHash } from 'node:crypto';
import { respond } from '../../core/http.js';
import type { S3Call, S3OpSpec } from './call.js';
import { s3Error } from './errors.js';
import type { Bucket, MultipartUpload } from './model.js';
import { computeChecksum, putObject } from './objects.js';
import { S3_NS } from './wire.js';
import { list, parseBody, text } from './xml-input.js';

/** Every part but the last must be at least 5 MiB (S3 multipart upload limits). */
const MIN_PART_SIZE = 5 * 1024 * 1024;

function uploadOf(bucket: Bucket, uploadId: string | undefined, key: string): MultipartUpload {
  const upload = uploadId ? bucket.uploads?.[uploadId] : undefined;
  if (!upload || upload.key !== key) {
    throw s3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: uploadId ?? '' },
    );
  }
  return upload;
}

function metadataOf(call: S3Call): Record<string, string> {
  return Object.fromEntries(
    Object.entries(call.ctx.http.headers)
      .filter(([name]) => name.startsWith('x-amz-meta-'))
      .map(([name, value]) => [name.slice('x-amz-meta-'.length), value]),
  );
}

/** Multipart uploads (what `aws s3 cp` and the SDK's Upload use above 8 MiB). */
export const MULTIPART_OPERATIONS: Record<string, S3OpSpec> = {
  CreateMultipartUpload: {
    scope: 'object',
    action: 's3:PutObject',
    dataEvent: true,
    run: (call) => {
      const uploadId = call.ctx.sim.ids.token(64);
      call.bucket.uploads ??= {};
      call.bucket.uploads[uploadId] = {
        key: call.key,
        initiated: call.ctx.now.toISOString(),
        initiatorAccount: call.ctx.caller.accountId,
        contentType: call.ctx.http.headers['content-type'],
        metadata: metadataOf(call),
        parts: {},
      };
      return {
        InitiateMultipartUploadResult: {
          '@xmlns': S3_NS,
          Bucket: call.bucketName,
          Key: call.key,
          UploadId: uploadId,
        },
      };
    },
  },
  UploadPart: {
    scope: 'object',
    action: 's3:PutObject',
    dataEvent: true,
    run: (call) => {
      const p = call.ctx.params;
      const upload = uploadOf(call.bucket, p.get('uploadId'), call.key);
      const partNumber = Number(p.get('partNumber'));
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
        throw s3Error(
          'InvalidArgument',
          'Part number must be an integer between 1 and 10000, inclusive',
          400,
        );
      }
      const body = call.ctx.http.body;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(call.ctx.http.headers)) {
        const algorithm = /^x-amz-checksum-(crc32c?|sha1|sha256)$/.exec(name)?.[1]?.toUpperCase();
        if (!algorithm) continue;
        if (computeChecksum(algorithm, body) !== value) {
          throw s3Error(
            'BadDigest',
            `The ${algorithm} you specified did not match the calculated checksum.`,
            400,
          );
        }
        headers[name] = value;
      }
      const etag = `"${createHash('md5').update(body).digest('hex')}"`;
      upload.parts[String(partNumber)] = { etag, body: body.toString('base64'), size: body.length };
      return respond({ headers: { etag, ...headers } });
    },
  },
  CompleteMultipartUpload: {
    scope: 'object',
    action: 's3:PutObject',
    dataEvent: true,
    run: (call) => {
      const uploadId = call.ctx.params.get('uploadId');
      const upload = uploadOf(call.bucket, uploadId, call.key);
      const requested = list(parseBody(call.ctx.http.body, 'CompleteMultipartUpload'), 'Part').map(
        (part) => ({
          number: Number(text(part, 'PartNumber')),
          etag: text(part, 'ETag') ?? '',
        }),
      );
      if (requested.length === 0) {
        throw s3Error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      }
      const parts = requested.map((wanted, index) => {
        const part = upload.parts[String(wanted.number)];
        if (!part || part.etag.replaceAll('"', '') !== wanted.etag.replaceAll('"', '')) {
          throw s3Error(
            'InvalidPart',
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            400,
          );
        }
        if (index > 0 && wanted.number <= requested[index - 1]!.number) {
          throw s3Error(
            'InvalidPartOrder',
            'The list of parts was not in ascending order. Parts must be ordered by part number.',
            400,
          );
        }
        if (index < requested.length - 1 && part.size < MIN_PART_SIZE) {
          throw s3Error(
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed object size.',
            400,
          );
        }
        return part;
      });
      const body = Buffer.concat(parts.map((part) => Buffer.from(part.body, 'base64')));
      putObject(call.world, call.deps, upload.initiatorAccount, {
        bucket: call.bucketName,
        key: call.key,
        body,
        contentType: upload.contentType,
        metadata: upload.metadata,
      });
      // A multipart ETag is the MD5 of the parts' binary MD5s, then "-<part count>".
      const digest = createHash('md5');
      for (const part of parts) digest.update(Buffer.from(part.etag.replaceAll('"', ''), 'hex'));
      const etag = `"${digest.digest('hex')}-${parts.length}"`;
      call.bucket.objects[call.key]!.etag = etag;
      delete call.bucket.uploads![uploadId!];
      return {
        CompleteMultipartUploadResult: {
          '@xmlns': S3_NS,
          Location: `http://${call.bucketName}.s3.amazonaws.com/${encodeURIComponent(call.key)}`,
          Bucket: call.bucketName,
          Key: call.key,
          ETag: etag,
        },
      };
    },
  },
  AbortMultipartUpload: {
    scope: 'object',
    action: 's3:AbortMultipartUpload',
    dataEvent: true,
    run: (call) => {
      const uploadId = call.ctx.params.get('uploadId');
      uploadOf(call.bucket, uploadId, call.key);
      delete call.bucket.uploads![uploadId!];
      return respond({ status: 204 });
    },
  },
};
