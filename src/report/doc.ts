/**
 * The documents as data: each report is a title and a list of blocks built from the facts, and
 * one renderer per format (Markdown, HTML) turns blocks into text. Every string in a block is
 * plain text — possibly the attacker's — and the renderers escape all of it.
 */

/** A run of text: plain, code or strong. */
export type Inline = string | { code: string } | { strong: string };
export type Text = Inline | Inline[];

/** SVG markup built by this folder's chart code, which escapes every text it places. */
export interface SafeSvg {
  readonly svg: string;
}

export type DocBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'para'; text: Text }
  | { kind: 'list'; items: Text[]; ordered?: boolean }
  | { kind: 'fields'; rows: [string, Text][] }
  | { kind: 'table'; columns: string[]; rows: Text[][]; empty: string; label?: string }
  | { kind: 'figure'; image: SafeSvg; caption: string };

export interface Doc {
  title: string;
  /** One line under the title (case id, time). */
  byline: string;
  blocks: DocBlock[];
  /** Written to fit one printed A4 page (the executive briefing): printed compact. */
  onePage?: boolean;
}

/** The inlines of a text. */
export function inlines(text: Text): Inline[] {
  return Array.isArray(text) ? text : [text];
}

/** The plain characters of an inline. */
export function inlineText(inline: Inline): string {
  if (typeof inline === 'string') return inline;
  return 'code' in inline ? inline.code : inline.strong;
}
