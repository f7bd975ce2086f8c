import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { campaignSuggestions, withSseCDeny } from './campaign-containment.js';

describe('campaign containment', () => {
  it('suggests the --campaign options the findings call for, with their regions', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tq-campaign-')), 'findings.json');
    expect(campaignSuggestions(file, [])).toEqual([]);
    writeFileSync(
      file,
      JSON.stringify({
        findings: [
          { ruleId: 'ses-spam-campaign', region: null, regions: ['us-east-1', 'eu-west-1', '$(rm -rf /)'] },
          { ruleId: 's3-ransomware-campaign', region: 'us-east-1' },
          { ruleId: 'console-login', region: 'us-east-1' },
        ],
      }),
    );
    expect(campaignSuggestions(file, [])).toEqual([
      'The findings name ses-spam: add --campaign ses-spam --campaign-region eu-west-1 --campaign-region us-east-1',
      'The findings name s3-ransomware: add --campaign s3-ransomware --bucket NAME',
    ]);
    expect(campaignSuggestions(file, ['ses-spam', 's3-ransomware'])).toEqual([]);
    writeFileSync(file, '{not json');
    expect(campaignSuggestions(file, [])).toEqual([]);
  });

  it("merges the SSE-C deny into a bucket's policy, its statements kept, once", () => {
    const own = { Sid: 'Own', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' };
    const once = withSseCDeny(JSON.stringify({ Version: '2012-10-17', Statement: own }), 'b');
    const twice = JSON.parse(withSseCDeny(once, 'b')) as { Statement: { Sid: string }[] };
    expect(twice.Statement.map((s) => s.Sid)).toEqual(['Own', 'TourniquetDenySseC']);
    expect(JSON.parse(withSseCDeny(undefined, 'b'))).toMatchObject({
      Version: '2012-10-17',
      Statement: [{ Sid: 'TourniquetDenySseC', Resource: 'arn:aws:s3:::b/*' }],
    });
  });
});
