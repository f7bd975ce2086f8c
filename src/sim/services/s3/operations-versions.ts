import type { S3OpSpec } from './call.js';
import { isDeleteMarker, listVersions } from './versions.js';
import { S3_NS, encoder, ownerXml, s3Time } from './wire.js';

/** ListObjectVersions (a CloudTrail data event): versions and delete markers, newest first per key. */
export const VERSION_OPERATIONS: Record<string, S3OpSpec> = {
  ListObjectVersions: {
    scope: 'bucket',
    action: 's3:ListBucketVersions',
    dataEvent: true,
    // Every version under the prefix in one page (the simulator's buckets are small).
    run: (call) => {
      const p = call.ctx.params;
      const encode = encoder(p.get('encoding-type'));
      const versions = listVersions(call.bucket, p.get('prefix') ?? '');
      const latest = new Set<string>();
      const entries = versions.map((v) => {
        const isLatest = !latest.has(v.key);
        latest.add(v.key);
        const common = {
          Key: encode(v.key),
          VersionId: v.versionId ?? 'null',
          IsLatest: isLatest,
          LastModified: s3Time(v.lastModified),
        };
        return isDeleteMarker(v)
          ? { marker: true, xml: { Owner: ownerXml(v.ownerAccount), ...common } }
          : {
              marker: false,
              xml: {
                ...common,
                ETag: v.etag,
                Size: v.size,
                StorageClass: 'STANDARD',
                Owner: ownerXml(v.ownerAccount),
              },
            };
      });
      return {
        ListVersionsResult: {
          '@xmlns': S3_NS,
          Name: call.bucketName,
          Prefix: encode(p.get('prefix') ?? ''),
          KeyMarker: '',
          VersionIdMarker: '',
          MaxKeys: 1000,
          ...(p.get('encoding-type') ? { EncodingType: p.get('encoding-type') } : {}),
          IsTruncated: false,
          Version: entries.filter((e) => !e.marker).map((e) => e.xml),
          DeleteMarker: entries.filter((e) => e.marker).map((e) => e.xml),
        },
      };
    },
  },
};
