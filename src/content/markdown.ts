import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { Marked, Parser, Renderer, type Token, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { HTML_ESCAPES } from '../render/text.ts';
import { lheading, table } from './gfm-blocks.ts';
import { inlineText } from './gfm-text.ts';

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
 * `baseUrl`, and raw HTML is reduced to the allow-list in createSanitizeOptions.
 */
export function renderBlocks(blocks: Token[], baseUrl: string): string {
  const html = hasRawHtml(blocks)
    ? renderThroughSanitizer(blocks, baseUrl)
    : renderWithoutSanitizer(blocks, baseUrl);
  return html.trim();
}

/** Plain text of blocks: tags dropped, entities decoded, white space folded. */
export function renderPlainText(blocks: Token[]): string {
  const text = hasRawHtml(blocks)
    ? sanitizeHtml(MARKED.parser(blocks), { allowedTags: [], allowedAttributes: {} })
    : // Every `<` and `>` in SanitizedRenderer's text and attributes is escaped, so each `<…>` is one of its tags.
      renderWithoutSanitizer(blocks, PLAIN_TEXT_BASE).replace(/<[^>]*>/g, '');
  return decodeHTML(text).replace(/\s+/g, ' ').trim();
}

/**
 * Markdown alone, most articles, skips sanitize-html (a seventh of a cold build's CPU): the
 * SanitizedRenderer writes from the tokens what sanitize-html would make of marked's HTML.
 * test/node/content/markdown.test.ts holds the two equal.
 */
function renderWithoutSanitizer(blocks: Token[], baseUrl: string): string {
  return new Parser({ ...MARKED.defaults, renderer: new SanitizedRenderer(baseUrl) }).parse(blocks);
}

/** marked's HTML of the blocks through sanitize-html: the way for raw HTML, and what SanitizedRenderer must write. */
export function renderThroughSanitizer(blocks: Token[], baseUrl: string): string {
  return sanitizeHtml(MARKED.parser(blocks), createSanitizeOptions(baseUrl));
}

/**
 * Whether any token is raw HTML, the only markup marked copies through, or a code block whose
 * language holds a character reference (which could decode to a space and so to a second class
 * name for the sanitizer to drop): those are left to sanitize-html.
 */
function hasRawHtml(blocks: Token[]): boolean {
  let found = false;
  MARKED.walkTokens(blocks, (token) => {
    if (token.type === 'html' || (token.type === 'code' && token.lang?.includes('&'))) found = true;
  });
  return found;
}

/** Any base will do for plain text: URLs are dropped with the tags. */
const PLAIN_TEXT_BASE = 'https://plain-text.invalid/';

/** One parser for every call: its options never change, and lexing keeps no state between calls. */
const MARKED = createMarked();

function createMarked(): Marked {
  return new Marked({
    gfm: true,
    tokenizer: { inlineText, lheading, table },
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

/** Schemes a link may keep; anything else (javascript:, data:) counts as leading nowhere. */
const LINK_SCHEMES = ['http:', 'https:', 'mailto:', 'tel:'];
/** Schemes an image may be loaded from. */
const IMAGE_SCHEMES = ['http:', 'https:'];

/**
 * `value` made absolute against `baseUrl`, or undefined when it leads nowhere: empty, `#`, not
 * a URL, or of a scheme not in `schemes` (the anchor is then unwrapped instead of left behind
 * without an href).
 */
function absoluteUrl(
  value: string | undefined,
  baseUrl: string,
  schemes: readonly string[],
): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === '#') return undefined;
  try {
    const url = new URL(trimmed, baseUrl);
    return schemes.includes(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function createSanitizeOptions(baseUrl: string): sanitizeHtml.IOptions {
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
        const href = absoluteUrl(attribs.href, baseUrl, LINK_SCHEMES);
        // An anchor that leads nowhere loses its attributes; exclusiveFilter unwraps it.
        if (href === undefined) return { tagName, attribs: {} };
        return { tagName, attribs: { ...attribs, href } };
      },
      img: (tagName, attribs) => {
        const src = absoluteUrl(attribs.src, baseUrl, IMAGE_SCHEMES);
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

/**
 * Writes markdown without raw HTML as sanitize-html (with createSanitizeOptions) writes
 * marked's HTML of it: the same tags, URLs made absolute or the link unwrapped and the image
 * dropped, and text and attributes as sanitize-html re-serialises them. It reads what marked
 * escaped the way sanitize-html's parser (htmlparser2) does, decoding character references,
 * then escapes `&`, `<`, `>` (and `"` in attributes) only. Void elements end in ` />`, the task
 * list's `<input>` (not on the allow-list) goes, and an image's `src` moves after its other
 * attributes, where sanitize-html's transform puts it.
 */
class SanitizedRenderer extends Renderer {
  readonly #baseUrl: string;

  constructor(baseUrl: string) {
    super();
    this.#baseUrl = baseUrl;
  }

  override text(token: Tokens.Text | Tokens.Escape): string {
    if ('tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
    return escapeText(decodeHTML(super.text(token)));
  }

  override codespan({ text }: Tokens.Codespan): string {
    return `<code>${escapeText(text)}</code>`;
  }

  override code({ text, lang, escaped }: Tokens.Code): string {
    const language = (lang || '').match(/^\S*/)?.[0];
    // As marked: an empty block gains no newline.
    const code = text ? `${text.replace(/\n$/, '')}\n` : '';
    const body = escaped ? escapeText(decodeHTML(code)) : escapeText(code);
    const attribute = language ? ` class="language-${escapeAttribute(language)}"` : '';
    return `<pre><code${attribute}>${body}</code></pre>\n`;
  }

  override html(): string {
    throw new Error('internal error: raw HTML reached the renderer that has no sanitizer');
  }

  override hr(): string {
    return '<hr />\n';
  }

  override br(): string {
    return '<br />';
  }

  override checkbox(): string {
    return ' ';
  }

  override link(token: Tokens.Link): string {
    const { href, title, text, tokens, autolink } = token;
    // As MARKED's link renderer: a placeholder link keeps its words only.
    if (href.trim() === '#' || href.trim() === '') return this.parser.parseInline(tokens);
    const words = autolink ? escapeText(text) : this.parser.parseInline(tokens);
    const clean = cleanUrl(href);
    // An autolink's `&`s are literal (marked encodes them); elsewhere a reference decodes.
    const target = clean === null ? undefined : autolink ? clean : markedAttribute(clean);
    const absolute = absoluteUrl(target, this.#baseUrl, LINK_SCHEMES);
    if (absolute === undefined) return words;
    return `<a href="${escapeAttribute(absolute)}"${titleAttribute(title)}>${words}</a>`;
  }

  override image(token: Tokens.Image): string {
    const { href, title, tokens } = token;
    const alt = tokens ? this.parser.parseInline(tokens, this.parser.textRenderer) : token.text;
    const clean = cleanUrl(href);
    if (clean === null) return escapeText(decodeHTML(escapeMarked(alt)));
    const src = absoluteUrl(markedAttribute(clean), this.#baseUrl, IMAGE_SCHEMES);
    if (src === undefined) return '';
    return `<img alt="${escapeAttribute(markedAttribute(alt))}"${titleAttribute(title)} src="${escapeAttribute(src)}" />`;
  }
}

/** marked's escaping of text and attributes (helpers.ts `escapeHtmlEntities` without `encode`): references are left as they are. */
function escapeMarked(text: string): string {
  return text.replace(
    /[<>"']|&(?!(#\d{1,7}|#[Xx][a-fA-F0-9]{1,6}|\w+);)/g,
    (c) => HTML_ESCAPES[c] ?? c,
  );
}

/** An attribute value as it stands in marked's HTML, read as sanitize-html's parser reads it: references decoded. */
function markedAttribute(value: string): string {
  return decodeHTMLAttribute(escapeMarked(value));
}

/** A link's or image's `title` attribute as sanitize-html writes it; nothing without a title. */
function titleAttribute(title: string | null | undefined): string {
  return title ? ` title="${escapeAttribute(markedAttribute(title))}"` : '';
}

/** marked's `cleanUrl` (helpers.ts): null where encodeURI throws (a lone surrogate). */
function cleanUrl(href: string): string | null {
  try {
    return encodeURI(href).replace(/%25/g, '%');
  } catch {
    return null;
  }
}

/** Text as sanitize-html writes it. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A double-quoted attribute value as sanitize-html writes it. */
function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
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
