import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openEventStore } from '../store/store.js';
import { literalTexts, requiredText } from './regex-text.js';
import { lit, matches } from './sql.js';
import { BUILTIN_RULES } from './rules/index.js';
import { bundledSigma } from './sigma/bundled.js';

/**
 * A rule's regular expression runs only where the text every match holds is found. That text must
 * really be in every match: a wrong one would hide detections. Tested on the patterns written
 * here, and on random strings for every pattern the rules (built-in and bundled Sigma) use.
 */
describe('requiredText', () => {
  const cases: [pattern: string, required: string[] | null][] = [
    [
      '(^|[^a-z])(trufflehog|gitleaks|keyhacks|shhgit|nuclei)([^a-z]|$)',
      ['trufflehog', 'gitleaks', 'keyhacks', 'shhgit', 'nuclei'],
    ],
    ['(scoutsuite|scout suite|prowler)', ['scoutsuite', 'scout suite', 'prowler']],
    [
      '^(python-requests|Java/|Mozilla/5\\.0 \\(compatible)',
      ['python-requests', 'Java/', 'Mozilla/5.0 (compatible'],
    ],
    ['.+:assumed-role/aws:.+', [':assumed-role/aws:']],
    [':i-[0-9a-zA-Z]{8,}$', [':i-']],
    ['^arn:aws:iam::[0-9]{12}:role/(admin|root)', ['arn:aws:iam::']],
    ['abcd?', ['abc']], // d is optional
    ['ab+cde', ['cde']], // abbcde holds ab and cde, not abc
    ['x(abc|def)?yz', null], // the group is optional; two letters are not enough
    ['(abc|def)*', null],
    ['(abc|)', null], // an empty alternative
    ['abc|xyz', null], // alternation at the top
    ['(?i)kali', null], // flags change case
    ['ka(?i)lix', null],
    ['\\x41BCD', null], // an escape that takes more characters
    ['\\p{L}abc', null],
    ['\\Qa.b\\E', null],
    ['\\d\\d\\dabc', ['abc']],
    ['[abc]xyz[)]', ['xyz']],
    ['[]x]yzw', ['yzw']],
    ['a.b.c', null],
    ['^[0-9]{12}$', null],
    ['(a(b|c))', null], // nested groups are not read
    ['abc)', null], // not well formed
    ['x{2}abc', ['abc']],
    ['xyzw{|b}', null], // not a repetition: RE2 reads `xyzw{` or `b}`
    ['xyz{,3}', null],
    ['abc+?d', ['abc']],
  ];
  it.each(cases)('%s', (pattern, required) => {
    expect(requiredText(pattern)).toEqual(required);
  });
});

/** Every regular expression the rules pass to regexp_like: the call's last argument, a SQL string. */
function rulePatterns(): string[] {
  const sql = [...BUILTIN_RULES, ...bundledSigma().rules].map((r) => r.where).join('\n');
  const found = new Set<string>();
  for (let at = sql.indexOf('regexp_like('); at >= 0; at = sql.indexOf('regexp_like(', at + 1)) {
    // To the call's closing parenthesis, over nested calls and string literals.
    let depth = 0;
    let lastComma = -1;
    let i = at + 'regexp_like'.length;
    for (; i < sql.length; i++) {
      const c = sql[i];
      if (c === "'") {
        i++;
        while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      } else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
      else if (c === ',' && depth === 1) lastComma = i;
    }
    const last = sql.slice(lastComma + 1, i).trim();
    if (last.startsWith("'") && last.endsWith("'")) found.add(last.slice(1, -1).replace(/''/g, "'"));
  }
  return [...found];
}

describe('literalTexts', () => {
  it('reads a pattern that is only text or one group of plain alternatives, and nothing else', () => {
    expect(literalTexts('prowler')).toEqual(['prowler']);
    expect(literalTexts('(pacu|cloud\\-fox)')).toEqual(['pacu', 'cloud-fox']);
    expect(literalTexts('(?:a|bc)')).toEqual(['a', 'bc']);
    expect(literalTexts('x\\.y')).toEqual(['x.y']);
    for (const p of [
      'a.b',
      '(a|b)c',
      '^x',
      'x$',
      '(a|b)|c',
      'a|b',
      'ab?',
      '(a|b)+',
      '[ab]',
      '(?i)ab',
      '(a|b.)',
      '',
    ])
      expect(literalTexts(p), p).toBeNull();
  });
});

describe('requiredText on the rules’ own patterns', () => {
  it('is held by every string each pattern matches (fast-check generates the matches)', () => {
    const patterns = rulePatterns();
    expect(patterns.length).toBeGreaterThan(40);
    let checked = 0;
    for (const pattern of patterns) {
      const required = requiredText(pattern);
      if (!required) continue;
      let regex: RegExp;
      try {
        regex = new RegExp(pattern);
      } catch {
        continue; // a form JavaScript does not read; the SQL engines do
      }
      checked++;
      fc.assert(
        fc.property(fc.stringMatching(regex), (s) => required.some((t) => s.includes(t))),
        { numRuns: 200, seed: 16 },
      );
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('matches() with its substring search, in DuckDB', () => {
  it('searches a column as it is (once per dictionary value) and a computed text once', () => {
    const onColumn = matches('lower(useragent)', '(kali|parrot)');
    expect(onColumn).toContain(`strpos(lower(useragent), 'kali') > 0`);
    expect(onColumn).not.toContain('strpos(coalesce(');
    expect(onColumn).not.toContain('regexp_like'); // only text: the search is the test
    expect(matches('useragent', 'kali[0-9]')).toContain('regexp_like');
    const onJson = matches(
      `lower(json_extract_scalar(requestparameters, '$.bucketName'))`,
      '(backup|secret)',
    );
    expect(onJson.split('json_extract_scalar').length - 1).toBe(1);
  });

  it('gives what regexp_like alone gives, on matching, near and NULL texts', async () => {
    const store = await openEventStore(':memory:');
    try {
      let hits = 0;
      // The rules' patterns with a required text, and that text as a pattern of its own (a pattern
      // that is only text takes the search alone, and leaves no regexp_like in the rules' SQL).
      const escape = (t: string): string => t.replace(/[.()[\]{}*+?|^$\\]/g, '\\$&');
      const withText = rulePatterns().filter((p) => requiredText(p) !== null);
      const literal = [...new Set(withText.map((p) => `(${requiredText(p)!.map(escape).join('|')})`))];
      expect(literal.filter((p) => literalTexts(p) !== null).length).toBeGreaterThan(20);
      for (const pattern of [...withText, ...literal]) {
        let regex: RegExp;
        try {
          regex = new RegExp(pattern);
        } catch {
          continue;
        }
        const texts = [
          ...fc.sample(fc.stringMatching(regex), { numRuns: 20, seed: 5 }),
          // The same texts with the required text broken: they must not match either way.
          ...fc.sample(fc.stringMatching(regex), { numRuns: 10, seed: 6 }).map((t) => t.slice(1)),
          ...fc.sample(fc.string(), { numRuns: 10, seed: 7 }),
        ];
        const values = [...texts.map((t) => `(${lit(t.replace(/\0/g, ''))})`), '(NULL)'].join(', ');
        const rows = await store.query<{ a: boolean; b: boolean; c: boolean; d: boolean }>(
          `SELECT ${matches('s', pattern)} AS a, regexp_like(coalesce(s, ''), ${lit(pattern)}) AS b,
             ${matches(`nullif(s, '')`, pattern)} AS c, regexp_like(coalesce(nullif(s, ''), ''), ${lit(pattern)}) AS d
           FROM (VALUES ${values}) t(s)`,
        );
        for (const row of rows) {
          expect(row.a, pattern).toBe(row.b);
          expect(row.c, pattern).toBe(row.d);
        }
        hits += rows.filter((r) => r.b).length;
      }
      expect(hits).toBeGreaterThan(300);
    } finally {
      store.close();
    }
  });
});
