import type { Token, Tokens } from 'marked';
import { parseProseDate } from './dates.ts';
import { type Block, renderPlainText } from './markdown.ts';

// Articles without front matter are read the way news copy is written: a `# ` title, a date
// line under it, the body, and "Original url:" lines at the end. Each function here finds one
// of those in the body's top-level blocks; the article decides what to use and what leaves the body.

/** The body's first level-1 heading, the title of news copy. */
export interface TitleHeading {
  /** Its words: markdown made plain. */
  text: string;
  line: number;
  token: Tokens.Heading;
  /** Whether it is the body's first block. */
  first: boolean;
}

/** Finds the first `# ` heading of the body, wherever it stands. */
export function findTitleHeading(blocks: readonly Block[]): TitleHeading | undefined {
  const index = blocks.findIndex(
    (b) => b.token.type === 'heading' && (b.token as Tokens.Heading).depth === 1,
  );
  const heading = blocks[index];
  if (heading === undefined) return undefined;
  return {
    text: renderPlainText([heading.token]),
    line: heading.line,
    token: heading.token as Tokens.Heading,
    first: index === 0,
  };
}

/** Reads the body's first block as a date line ("September 25, 2023"), at midnight in `timeZone`; undefined when it is not one. */
export function readDateLine(blocks: readonly Block[], timeZone: string): number | undefined {
  const first = blocks[0];
  return first?.token.type === 'paragraph' ? parseProseDate(first.token.text, timeZone) : undefined;
}

/** Finds the trailing "Original url:" lines of pasted news copy: the URL, their line, and the blocks before them. */
export function takeOriginalUrlTrailer(
  blocks: Block[],
): { url: string; line: number; rest: Block[] } | undefined {
  for (let i = blocks.length - 1; i >= Math.max(0, blocks.length - 2); i--) {
    const block = blocks[i];
    if (block?.token.type !== 'paragraph') continue;
    const text = block.token.text.trim();
    const match = /^original\s+url\s*:\s*(.*)$/is.exec(text);
    if (!match) continue;
    const inline = (match[1] ?? '').trim();
    const following = blocks.slice(i + 1);
    const next = following[0]?.token;
    const urlText =
      inline !== ''
        ? inline
        : following.length === 1 && next?.type === 'paragraph'
          ? next.text.trim()
          : '';
    if (urlText === '' || following.length > (inline !== '' ? 0 : 1)) return undefined;
    return {
      url: urlText.replace(/^<(.*)>$/s, '$1').trim(),
      line: block.line,
      rest: blocks.slice(0, i),
    };
  }
  return undefined;
}

/**
 * Infers a summary: the first real paragraph, one of at least twelve words that is not a
 * credit or label line (those begin or end with bold text, like a photo caption's credit),
 * else the first paragraph; empty when there is none.
 */
export function inferSummary(blocks: readonly Block[]): string {
  const paragraphs = blocks.filter(
    (b): b is Block & { token: Tokens.Paragraph } => b.token.type === 'paragraph',
  );
  const isLabelled = (p: Tokens.Paragraph): boolean => {
    const inline = p.tokens.filter((t) => !(t.type === 'text' && t.raw.trim() === ''));
    return inline[0]?.type === 'strong' || inline[inline.length - 1]?.type === 'strong';
  };
  // Each candidate's text is rendered once: rendering is most of what inferring costs.
  for (const p of paragraphs) {
    if (isLabelled(p.token)) continue;
    const text = renderPlainText([p.token]);
    if (text.split(' ').length >= 12) return text;
  }
  const first = paragraphs[0];
  return first ? renderPlainText([first.token]) : '';
}

/** The first raw HTML (a tag or comment) among a heading's inline tokens, at any depth: what a plain-text title would silently lose. */
export function findInlineHtml(token: Token): string | undefined {
  for (const child of (token as { tokens?: Token[] }).tokens ?? []) {
    if (child.type === 'html') return child.raw;
    const nested = findInlineHtml(child);
    if (nested !== undefined) return nested;
  }
  return undefined;
}
