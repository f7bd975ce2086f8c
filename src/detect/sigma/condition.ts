/** A parsed Sigma `condition`: identifiers combined with and / or / not / `1 of` / `all of`. */
export type ConditionNode =
  | { kind: 'id'; name: string }
  | { kind: 'of'; quantifier: 'any' | 'all'; pattern: string }
  | { kind: 'not'; node: ConditionNode }
  | { kind: 'and' | 'or'; nodes: ConditionNode[] };

/** Thrown for a condition this compiler does not understand; the message is the reason shown. */
export class UnsupportedCondition extends Error {}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*.-]+)/y;

/** Parse a condition string (precedence: not > and > or). */
export function parseCondition(text: string): ConditionNode {
  if (text.includes('|')) {
    throw new UnsupportedCondition(
      'aggregation conditions ("| count() …") need correlation, not a row predicate',
    );
  }
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let rest = text.trim();
  while (rest.length > 0) {
    TOKEN.lastIndex = 0;
    const match = TOKEN.exec(rest);
    if (!match) throw new UnsupportedCondition(`cannot read condition near "${rest.slice(0, 20)}"`);
    tokens.push(match[1]!);
    rest = rest.slice(match[0].length).trimStart();
  }
  if (tokens.includes('|')) {
    throw new UnsupportedCondition(
      'aggregation conditions ("| count() …") need correlation, not a row predicate',
    );
  }
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string => {
    const token = tokens[pos++];
    if (token === undefined) throw new UnsupportedCondition('condition ends too early');
    return token;
  };
  const isWord = (t: string | undefined, w: string): boolean => t?.toLowerCase() === w;

  const parseOr = (): ConditionNode => {
    const nodes = [parseAnd()];
    while (isWord(peek(), 'or')) {
      pos++;
      nodes.push(parseAnd());
    }
    return nodes.length === 1 ? nodes[0]! : { kind: 'or', nodes };
  };
  const parseAnd = (): ConditionNode => {
    const nodes = [parseNot()];
    while (isWord(peek(), 'and')) {
      pos++;
      nodes.push(parseNot());
    }
    return nodes.length === 1 ? nodes[0]! : { kind: 'and', nodes };
  };
  const parseNot = (): ConditionNode => {
    if (isWord(peek(), 'not')) {
      pos++;
      return { kind: 'not', node: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): ConditionNode => {
    const token = next();
    if (token === '(') {
      const inner = parseOr();
      if (next() !== ')') throw new UnsupportedCondition('unbalanced parentheses');
      return inner;
    }
    if (token === '1' || isWord(token, 'any') || isWord(token, 'all')) {
      if (!isWord(peek(), 'of')) throw new UnsupportedCondition(`"${token}" must be followed by "of"`);
      pos++;
      const pattern = next();
      return { kind: 'of', quantifier: isWord(token, 'all') ? 'all' : 'any', pattern };
    }
    if (['and', 'or', 'not', 'of', ')'].includes(token.toLowerCase())) {
      throw new UnsupportedCondition(`unexpected "${token}"`);
    }
    return { kind: 'id', name: token };
  };
  const tree = parseOr();
  if (pos !== tokens.length) throw new UnsupportedCondition(`unexpected "${tokens[pos]}"`);
  return tree;
}
