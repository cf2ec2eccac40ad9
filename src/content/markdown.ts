import { decodeHTML } from 'entities';
import { Marked, type Token, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

/** A top-level markdown block with the 1-based line it starts on. */
export interface Block {
  token: Token;
  line: number;
}

/** Splits markdown into top-level blocks, each tagged with its starting line. */
export function lexBlocks(markdown: string, firstLine = 1): Block[] {
  const blocks: Block[] = [];
  let line = firstLine;
  for (const token of MARKED.lexer(markdown)) {
    blocks.push({ token, line: line + leadingNewlines(token.raw) });
    line += countNewlines(token.raw);
  }
  return blocks;
}

/**
 * Renders blocks to safe HTML for feeds and pages: links whose target is only `#`
 * (placeholders) become plain text, every relative URL becomes absolute against
 * `baseUrl`, and raw HTML is reduced to the allow-list in SANITIZE_OPTIONS.
 */
export function renderBlocks(blocks: Token[], baseUrl: string): string {
  const html = MARKED.parser(blocks);
  return sanitizeHtml(html, createSanitizeOptions(baseUrl)).trim();
}

/** Plain text of blocks: tags dropped, entities decoded, white space folded. */
export function renderPlainText(blocks: Token[]): string {
  const html = MARKED.parser(blocks);
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} });
  return decodeHTML(text).replace(/\s+/g, ' ').trim();
}

/** One parser for every call: its options never change, and lexing keeps no state between calls. */
const MARKED = createMarked();

function createMarked(): Marked {
  return new Marked({
    gfm: true,
    renderer: {
      link({ href, title, tokens }: Tokens.Link): string | false {
        // Placeholder links in pasted copy (`[said](#)`) lead nowhere: keep the words only.
        if (href.trim() === '#' || href.trim() === '') return this.parser.parseInline(tokens);
        void title;
        return false;
      },
    },
  });
}

function createSanitizeOptions(baseUrl: string): sanitizeHtml.IOptions {
  // Only schemes a reader can follow survive; anything else (javascript:, data:) counts as
  // leading nowhere, so the anchor is unwrapped instead of left behind without an href.
  const absolute = (value: string | undefined, schemes: readonly string[]): string | undefined => {
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    if (trimmed === '' || trimmed === '#') return undefined;
    try {
      const url = new URL(trimmed, baseUrl);
      return schemes.includes(url.protocol) ? url.href : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags,
      'img',
      'h1',
      'h2',
      'del',
      'ins',
      'figure',
      'figcaption',
      'sup',
      'sub',
      'details',
      'summary',
    ],
    allowedAttributes: {
      a: ['href', 'title'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      abbr: ['title'],
      ol: ['start'],
      td: ['colspan', 'rowspan', 'align'],
      th: ['colspan', 'rowspan', 'align'],
      code: ['class'],
      time: ['datetime'],
    },
    allowedClasses: { code: ['language-*'] },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      a: (tagName, attribs) => {
        const href = absolute(attribs.href, ['http:', 'https:', 'mailto:', 'tel:']);
        // An anchor that leads nowhere loses its attributes; exclusiveFilter unwraps it.
        if (href === undefined) return { tagName, attribs: {} };
        return { tagName, attribs: { ...attribs, href } };
      },
      img: (tagName, attribs) => {
        const src = absolute(attribs.src, ['http:', 'https:']);
        const { src: _dropped, ...rest } = attribs;
        return { tagName, attribs: src === undefined ? rest : { ...rest, src } };
      },
    },
    // An anchor without href is unwrapped: its text stays, the link goes. ('excludeTag' rather
    // than renaming the tag in transformTags: sanitize-html 2.17 then writes the renamed
    // closing tag for the next sibling anchor too, leaving `<a …>…</x-unwrap>`.)
    exclusiveFilter: (frame) =>
      (frame.tag === 'img' && !frame.attribs.src) ||
      (frame.tag === 'a' && !frame.attribs.href ? 'excludeTag' : false),
  };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function leadingNewlines(text: string): number {
  const match = /^(?:[ \t]*\n)*/.exec(text);
  return match ? countNewlines(match[0]) : 0;
}
