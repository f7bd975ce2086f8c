import type { TableInput } from '@aws-sdk/client-glue';
import { ATHENA_COLUMNS, type AthenaColumn } from '../store/schema.js';

/**
 * The Hive types of Athena's CloudTrail table (athena-duckdb.md §1, the Hive JSON SerDe DDL): the
 * same columns as the local store, JSON documents kept as text, the identity, resources,
 * addendum and TLS details as structs with lower-case fields.
 */
const STRUCT_TYPES: Partial<Record<AthenaColumn, string>> = {
  useridentity:
    'struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,' +
    'username:string,onbehalfof:struct<userid:string,identitystorearn:string>,sessioncontext:struct<' +
    'attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,' +
    'principalid:string,arn:string,accountid:string,username:string>,ec2roledelivery:string,' +
    'webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>',
  resources: 'array<struct<arn:string,accountid:string,type:string>>',
  addendum: 'struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>',
  tlsdetails: 'struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>',
};

/** The columns whose values come back from Athena as JSON text (structs and arrays, cast to JSON). */
export const STRUCT_COLUMNS = Object.keys(STRUCT_TYPES) as AthenaColumn[];

/** Where a bucket's trail files lie, and which accounts and regions the table projects. */
export interface TrailLayout {
  bucket: string;
  /** Key prefix before `AWSLogs/` (`''` or `prefix/`). */
  base: string;
  /** The organisation id of an organisation trail's folder (`AWSLogs/o-…/`), or null. */
  organisation: string | null;
  accounts: string[];
  regions: string[];
}

/** The key prefix of the folder holding the layout's account folders (`[base]AWSLogs/[o-…/]`). */
export function accountsFolder(layout: Pick<TrailLayout, 'base' | 'organisation'>): string {
  return `${layout.base}AWSLogs/${layout.organisation ? `${layout.organisation}/` : ''}`;
}

/** The partition columns, in the order of the template. */
export const PARTITION_KEYS = ['account', 'region', 'timestamp'] as const;

/** The date format of the `timestamp` partition: CloudTrail's `yyyy/MM/dd` folders. */
export const DAY_FORMAT = 'yyyy/MM/dd';

/**
 * Glue's TableInput for the CloudTrail table over a trail bucket, with partition projection on
 * account and region (enum, from the bucket's folders) and day (date, 2013/11/01 — CloudTrail's
 * start — to NOW), the template `…/AWSLogs/[o-…/]${account}/CloudTrail/${region}/${timestamp}`: the
 * multi-account form of AWS's projected table (athena-duckdb.md §1), an organisation trail's with
 * its organisation id in the location.
 */
export function cloudTrailTableInput(name: string, layout: TrailLayout): TableInput {
  const root = `s3://${layout.bucket}/${accountsFolder(layout)}`;
  return {
    Name: name,
    Description: `CloudTrail logs in ${root} (made by tourniquet)`,
    TableType: 'EXTERNAL_TABLE',
    PartitionKeys: PARTITION_KEYS.map((k) => ({ Name: k, Type: 'string' })),
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'cloudtrail',
      'projection.enabled': 'true',
      'projection.account.type': 'enum',
      'projection.account.values': layout.accounts.join(','),
      'projection.region.type': 'enum',
      'projection.region.values': layout.regions.join(','),
      'projection.timestamp.type': 'date',
      'projection.timestamp.format': DAY_FORMAT,
      'projection.timestamp.range': '2013/11/01,NOW',
      'projection.timestamp.interval': '1',
      'projection.timestamp.interval.unit': 'DAYS',
      'storage.location.template': `${root}\${account}/CloudTrail/\${region}/\${timestamp}`,
    },
    StorageDescriptor: {
      Location: root,
      Columns: ATHENA_COLUMNS.map((c) => ({ Name: c, Type: STRUCT_TYPES[c] ?? 'string' })),
      InputFormat: 'com.amazon.emr.cloudtrail.CloudTrailInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
    },
  };
}
