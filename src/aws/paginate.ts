/**
 * A paged AWS list call, declared rather than coded each time: how to ask for a page and where
 * the items and the next token are in the answer.
 */
export interface PageSpec<Input, Output, Item> {
  send: (input: Input) => Promise<Output>;
  input: Input;
  /** Name of the request field that takes the token (`Marker`, `NextToken`, `ContinuationToken`). */
  inputToken: keyof Input & string;
  /** Read the next token from a page; undefined or empty = last page. */
  nextToken: (page: Output) => string | undefined;
  items: (page: Output) => Item[] | undefined;
  /** Safety stop for a service that keeps returning a token (default 10,000 pages). */
  maxPages?: number;
}

/** Yield every item of every page, in order. */
export async function* paginate<Input, Output, Item>(
  spec: PageSpec<Input, Output, Item>,
): AsyncGenerator<Item> {
  let token: string | undefined;
  const maxPages = spec.maxPages ?? 10_000;
  for (let page = 0; page < maxPages; page++) {
    const input = token === undefined ? spec.input : { ...spec.input, [spec.inputToken]: token };
    const output = await spec.send(input);
    for (const item of spec.items(output) ?? []) yield item;
    const next = spec.nextToken(output);
    if (next === undefined || next === '' || next === token) return;
    token = next;
  }
  throw new Error(`pagination stopped after ${maxPages} pages`);
}

/** Collect every item into an array. */
export async function collectAll<Input, Output, Item>(spec: PageSpec<Input, Output, Item>): Promise<Item[]> {
  const out: Item[] = [];
  for await (const item of paginate(spec)) out.push(item);
  return out;
}
