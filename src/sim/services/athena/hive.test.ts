import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UnreadableFile, conform, duckType, parseHiveType, tableRows } from './hive.js';

describe("the simulated Athena's reading of a Glue table (Hive types, JSON SerDe)", () => {
  it('parses the types a CloudTrail table declares into DuckDB types', () => {
    const t = parseHiveType(
      'struct<type:string, sessioncontext:struct<attributes:map<string,string>>, n:bigint, tags:array<string>>',
    );
    expect(duckType(t)).toBe(
      'STRUCT("type" VARCHAR, "sessioncontext" STRUCT("attributes" MAP(VARCHAR, VARCHAR)), "n" BIGINT, "tags" VARCHAR[])',
    );
    expect(duckType(parseHiveType('varchar(65535)'))).toBe('VARCHAR');
    for (const bad of ['struct<a:string', 'strang', 'map<string>', 'array<string>>'])
      expect(() => parseHiveType(bad), bad).toThrow(/bad Hive type/);
  });

  it('reads values as the SerDe does: documents in string columns as JSON text, fields whatever their case, wrong shapes NULL', () => {
    const identity = parseHiveType(
      'struct<type:string,accesskeyid:string,sessioncontext:struct<attributes:struct<mfaauthenticated:string>>>',
    );
    expect(
      conform(
        {
          type: 'IAMUser',
          accessKeyId: 'AKIAEXAMPLE',
          sessionContext: { attributes: { mfaAuthenticated: false } },
        },
        identity,
      ),
    ).toEqual({
      type: 'IAMUser',
      accesskeyid: 'AKIAEXAMPLE',
      sessioncontext: { attributes: { mfaauthenticated: 'false' } },
    });
    expect(conform({ bucketName: 'b', n: 1 }, parseHiveType('string'))).toBe('{"bucketName":"b","n":1}');
    expect(conform(true, parseHiveType('string'))).toBe('true');
    expect(conform('text', identity)).toBeNull();
    expect(conform({ a: 1 }, parseHiveType('array<string>'))).toBeNull();
    expect(conform({ k: { x: 1 } }, parseHiveType('map<string,string>'))).toEqual({ k: '{"x":1}' });
  });

  it('reads a delivery file, gzip or not, into the declared columns; a damaged one is UnreadableFile', () => {
    const columns = [
      { name: 'eventname', type: parseHiveType('string') },
      { name: 'requestparameters', type: parseHiveType('string') },
      { name: 'missing', type: parseHiveType('string') },
    ];
    const file = JSON.stringify({
      Records: [{ eventName: 'CreateUser', requestParameters: { userName: 'x' } }],
    });
    const rows = [{ eventname: 'CreateUser', requestparameters: '{"userName":"x"}', missing: null }];
    expect(tableRows(Buffer.from(file), columns)).toEqual(rows);
    expect(tableRows(gzipSync(file), columns)).toEqual(rows);
    expect(() => tableRows(gzipSync(file).subarray(0, 20), columns)).toThrow(UnreadableFile);
    expect(() => tableRows(Buffer.from('{"Records": 3}'), columns)).toThrow(UnreadableFile);
  });
});
