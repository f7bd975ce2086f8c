/**
 * Text a regular expression cannot match without: lets a rule test a cheap substring search
 * before the regular expression. On a million records DuckDB ran `regexp_like` over every user
 * agent in 0.55-0.7 s per rule, and `strpos` in 20-40 ms (it works on the column's dictionary);
 * three user-agent rules cost about a third of the which-rules-match scan.
 *
 * Hand-written: no library on npm answers "which literals must a match contain" for the RE2 and
 * Java subset rules are written in. It reads the pattern's top level only and gives up (null) on
 * anything it does not know, so a prefilter is never wrong, only sometimes missing.
 */

/** Escaped characters that stand for themselves (`\.`, `\(` …); other escapes are classes or anchors. */
const PUNCTUATION = new Set([...'.()[]{}*+?|^$\\/-:_=!<>#&~,\'" ']);
/** Escapes of one letter that stand for a class or an anchor (`\d`, `\b` …), or a control character. */
const ONE_LETTER_ESCAPES = new Set([...'dDwWsSbBAzZntrfv']);
/** Characters with a meaning of their own outside a class. */
const SPECIAL = new Set([...'.()[]{}*+?|^$\\']);

/** An atom of the pattern's top level: a plain character, a group of plain alternatives, or anything else. */
type Atom = { kind: 'char'; char: string } | { kind: 'anyOf'; texts: string[] } | { kind: 'other' };

/**
 * Alternatives of which a match must contain at least one as a substring (one alternative: text
 * every match contains), or null. Prefers the longest plain run of at least three characters, then
 * a group of plain alternatives each at least three characters long.
 */
export function requiredText(pattern: string): string[] | null {
  const atoms = topLevel(pattern);
  if (atoms === null) return null;
  const runs: string[] = [];
  const groups: string[][] = [];
  let run = '';
  const end = (): void => {
    if (run) runs.push(run);
    run = '';
  };
  for (const atom of atoms) {
    if (atom.kind === 'char') run += atom.char;
    else {
      end();
      if (atom.kind === 'anyOf') groups.push(atom.texts);
    }
  }
  end();
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (longest.length >= 3) return [longest];
  const group = groups.find((texts) => texts.every((t) => t.length >= 3));
  return group ?? null;
}

/**
 * The texts of a pattern that is nothing but text or one group of plain alternatives (`prowler`,
 * `(pacu|cloudfox)`): it matches exactly where one of them is a substring, so a substring search
 * is the whole test (RE2 took about a microsecond per user agent for ten such words). Else null.
 */
export function literalTexts(pattern: string): string[] | null {
  const atoms = topLevel(pattern);
  if (atoms === null || atoms.length === 0) return null;
  if (atoms.every((a) => a.kind === 'char')) return [atoms.map((a) => a.char).join('')];
  const [only] = atoms;
  return atoms.length === 1 && only!.kind === 'anyOf' ? only!.texts : null;
}

/**
 * The top level as atoms, optional ones (`?`, `*`, `{`) turned into `other`, or null when the
 * pattern is an alternation at its top, sets flags, or is not well formed as far as this reads.
 */
function topLevel(pattern: string): Atom[] | null {
  const atoms: Atom[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '|') return null;
    if (c === '*' || c === '?' || c === '{' || c === '+') {
      const last = atoms.at(-1);
      if (!last) return null;
      if (c === '{') {
        // Only a well-formed repetition; a brace that is not one is read as text by some engines.
        const repeat = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
        if (!repeat) return null;
        i += repeat[0].length;
      } else i++;
      if (pattern[i] === '?') i++; // a lazy quantifier
      // `x+` still holds an x, but what follows need not be next to it: the run ends after it.
      if (c === '+') atoms.push({ kind: 'other' });
      else atoms[atoms.length - 1] = { kind: 'other' };
      continue;
    }
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return null;
      if (PUNCTUATION.has(next)) atoms.push({ kind: 'char', char: next });
      else if (ONE_LETTER_ESCAPES.has(next)) atoms.push({ kind: 'other' });
      // \x41, \u0041, \p{L}, \Q…\E, back-references: escapes that take more characters.
      else return null;
      i += 2;
      continue;
    }
    if (c === '[') {
      const close = classEnd(pattern, i);
      if (close < 0) return null;
      atoms.push({ kind: 'other' });
      i = close + 1;
      continue;
    }
    if (c === '(') {
      const close = groupEnd(pattern, i);
      if (close < 0) return null;
      let inner = pattern.slice(i + 1, close);
      if (inner.startsWith('?:')) inner = inner.slice(2);
      // Flags (which may change case for the rest), named groups, look-arounds: not read.
      else if (inner.startsWith('?')) return null;
      const texts = plainAlternatives(inner);
      atoms.push(texts ? { kind: 'anyOf', texts } : { kind: 'other' });
      i = close + 1;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') return null;
    atoms.push(SPECIAL.has(c) ? { kind: 'other' } : { kind: 'char', char: c });
    i++;
  }
  return atoms;
}

/** The alternatives of a group body when each is plain text (escaped punctuation allowed), else null. */
function plainAlternatives(body: string): string[] | null {
  const texts: string[] = [''];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '|') texts.push('');
    else if (c === '\\') {
      const next = body[i + 1];
      if (next === undefined || !PUNCTUATION.has(next)) return null;
      texts[texts.length - 1] += next;
      i++;
    } else if (SPECIAL.has(c)) return null;
    else texts[texts.length - 1] += c;
  }
  return texts.every((t) => t.length > 0) ? texts : null;
}

/** The index of the `]` closing the class opened at `start`, or -1. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++; // a leading ] is a member
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '[' && pattern[i + 1] === ':') {
      const close = pattern.indexOf(':]', i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (pattern[i] === ']') return i;
  }
  return -1;
}

/** The index of the `)` closing the group opened at `start` (classes and escapes skipped), or -1. */
function groupEnd(pattern: string, start: number): number {
  let depth = 0;
  for (let i = start; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (c === '[') {
      i = classEnd(pattern, i);
      if (i < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}
