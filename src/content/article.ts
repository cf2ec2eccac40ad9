import type { Token, Tokens } from 'marked';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { stripXmlInvalid } from '../render/text.ts';
import type { Author, SiteConfig } from '../site/types.ts';
import { isLanguageTag } from './config.ts';
import { parseDateValue, parseProseDate } from './dates.ts';
import { type Block, lexBlocks, renderBlocks, renderPlainText } from './markdown.ts';
import { findMarkup } from './plain-text.ts';

/** One thing wrong with an article, located for the message `file:line: field: problem`. */
export interface Problem {
  file: string;
  line: number;
  field: string;
  message: string;
}

/** Formats a problem the way the build prints it. */
export function formatProblem(problem: Problem): string {
  return `${problem.file}:${problem.line}: ${problem.field}: ${problem.message}`;
}

/** An article as read from its file, before the site decides when it is visible. */
export interface ParsedArticle {
  file: string;
  slug: string;
  title: string;
  publishedAt: number;
  updatedAt?: number;
  summary: string;
  contentHtml: string;
  authors: Author[];
  tags: string[];
  /** Line of the `tags` key, for problems found across articles. */
  tagsLine?: number;
  /** Line of the `authors` key, for problems found across articles; absent for SITE_AUTHOR. */
  authorsLine?: number;
  image?: string;
  language: string;
  originalUrl?: string;
  draft: boolean;
}

/** Front-matter keys an article may use; anything else is reported as a likely typo. */
export const FRONT_MATTER_KEYS = [
  'title',
  'date',
  'updated',
  'summary',
  'authors',
  'tags',
  'image',
  'lang',
  'original_url',
  'draft',
] as const;

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/**
 * Reads one article file: UTF-8 markdown with optional YAML front matter. Fields the
 * front matter leaves out are inferred from the body as news copy writes them: title from
 * the first `# ` heading, date from a date line under it, original URL from trailing
 * "Original url:" lines, summary from the first real paragraph.
 */
export function parseArticle(file: string, bytes: Uint8Array, config: SiteConfig): { article?: ParsedArticle; problems: Problem[] } {
  try {
    return readArticle(file, bytes, config);
  } catch (error) {
    // marked and sanitize-html recurse once per level of nesting.
    if (!(error instanceof RangeError)) throw error;
    return { problems: [{ file, line: 1, field: 'body', message: 'nested too deeply to render (quotes, lists or emphasis inside each other thousands of times): flatten it' }] };
  }
}

function readArticle(file: string, bytes: Uint8Array, config: SiteConfig): { article?: ParsedArticle; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (line: number, field: string, message: string): void => {
    problems.push({ file, line, field, message });
  };

  const baseName = file.split('/').pop() ?? file;
  const slug = baseName.replace(/\.(md|markdown)$/i, '').toLowerCase();
  if (!SLUG.test(slug)) {
    report(1, 'slug', `file name must be lowercase letters, digits, "-" or "_" (it becomes the URL), got ${JSON.stringify(baseName)}`);
  }

  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) {
    report(decoded.line, 'encoding', 'invalid UTF-8: save the file as UTF-8');
    return { problems };
  }
  // XML 1.0 §2.2 forbids C0 controls and lone surrogates in every format's text; dropping them
  // here keeps the JSON Feed and the pages equal to what the XML feeds show.
  const source = stripXmlInvalid(decoded.text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));

  const { frontMatter, body, bodyFirstLine } = splitFrontMatter(source);
  const fields = readFrontMatter(frontMatter, report);
  const field = (name: string): { node: YamlNode; line: number } | undefined => fields.get(name);

  const permalink = `${config.siteUrl}/articles/${slug}`;
  const timeZone = config.timeZone;

  let blocks = lexBlocks(body, bodyFirstLine).filter((b) => b.token.type !== 'space');

  // Title: front matter, else the first level-1 heading (which then leaves the body).
  let title = stringField(field('title'), 'title', report);
  const headingIndex = blocks.findIndex((b) => b.token.type === 'heading' && (b.token as Tokens.Heading).depth === 1);
  const heading = headingIndex === -1 ? undefined : blocks[headingIndex];
  let titleLine = field('title')?.line;
  if (heading) {
    const headingText = renderPlainText([heading.token]);
    if (title === undefined) {
      title = headingText;
      titleLine = heading.line;
      // Markdown in the heading becomes its words; raw HTML would silently lose its tags.
      const html = findInlineHtml(heading.token);
      if (html !== undefined) report(heading.line, 'title', findMarkup(html, 'titles')?.message ?? `${JSON.stringify(html)} is HTML: titles are plain text, so leave it out`);
    }
    if (headingIndex === 0 && headingText === title) blocks = blocks.slice(1);
  }
  if (title === undefined || title.trim() === '') {
    report(field('title')?.line ?? bodyFirstLine, 'title', 'missing: add `title:` to the front matter or start the body with a `# Heading`');
  } else if (!problems.some((p) => p.field === 'title')) {
    checkPlainText(title, titleLine ?? bodyFirstLine, 'title', 'titles', report);
  }

  // Date: front matter, else a date line right under the title heading.
  let publishedAt: number | undefined;
  const dateField = field('date');
  if (dateField) {
    publishedAt = dateFieldValue(dateField, 'date', timeZone, report);
  } else {
    const first = blocks[0];
    const inferred = first?.token.type === 'paragraph' ? parseProseDate(first.token.text, timeZone) : undefined;
    if (first && inferred !== undefined) {
      publishedAt = inferred;
      blocks = blocks.slice(1);
    } else {
      report(bodyFirstLine, 'date', 'missing: add `date: 2023-09-25` to the front matter or a date line such as "September 25, 2023" under the title');
    }
  }

  const updatedField = field('updated');
  const updatedAt = updatedField ? dateFieldValue(updatedField, 'updated', timeZone, report) : undefined;
  if (updatedField && updatedAt !== undefined && publishedAt !== undefined && updatedAt < publishedAt) {
    report(updatedField.line, 'updated', 'is earlier than `date`: an article cannot be updated before it is published');
  }

  // Original URL: front matter, else trailing "Original url:" lines (which leave the body).
  let originalUrl = urlField(field('original_url'), 'original_url', report);
  const trailer = takeOriginalUrlTrailer(blocks);
  if (trailer) {
    blocks = trailer.rest;
    if (originalUrl === undefined) {
      if (isAbsoluteHttpUrl(trailer.url)) originalUrl = new URL(trailer.url).href;
      else report(trailer.line, 'original_url', `expected an absolute http(s) URL, got ${JSON.stringify(trailer.url)}`);
    }
  }

  const contentHtml = renderBlocks(
    blocks.map((b) => b.token),
    permalink,
  );
  if (contentHtml === '') {
    report(bodyFirstLine, 'body', 'empty: the article has no text to publish');
  }

  const summary = stringField(field('summary'), 'summary', report) ?? inferSummary(blocks);

  const authors = authorsField(field('authors'), report) ?? [{ name: config.defaultAuthor }];
  const tags = tagsField(field('tags'), report);
  const image = urlField(field('image'), 'image', report);
  const lang = stringField(field('lang'), 'lang', report);
  if (lang !== undefined && !isLanguageTag(lang)) {
    report(field('lang')?.line ?? 1, 'lang', `expected a BCP 47 language tag such as "en" or "pt-BR", got ${JSON.stringify(lang)}`);
  }
  const draft = booleanField(field('draft'), 'draft', report) ?? false;

  // Names are plain text too; checked in the order the fields stand in the file.
  const nameFields: [line: number, field: string, what: string, values: string[]][] = [
    // Without `authors`, SITE_AUTHOR stands in; the configuration checks it.
    [field('authors')?.line ?? 1, 'authors', 'author names', field('authors') ? authors.map((a) => a.name) : []],
    [field('tags')?.line ?? 1, 'tags', 'tag names', tags],
  ];
  for (const [line, name, what, values] of nameFields.sort((a, b) => a[0] - b[0])) {
    for (const value of values) checkPlainText(value, line, name, what, report);
  }

  if (problems.length > 0 || title === undefined || publishedAt === undefined) return { problems };
  const article: ParsedArticle = {
    file,
    slug,
    title: title.trim(),
    publishedAt,
    summary,
    contentHtml,
    authors,
    tags,
    language: lang ?? config.language,
    draft,
  };
  if (updatedAt !== undefined) article.updatedAt = updatedAt;
  const tagsLine = field('tags')?.line;
  if (tagsLine !== undefined) article.tagsLine = tagsLine;
  const authorsLine = field('authors')?.line;
  if (authorsLine !== undefined) article.authorsLine = authorsLine;
  if (image !== undefined) article.image = image;
  if (originalUrl !== undefined) article.originalUrl = originalUrl;
  return { article, problems };
}

type Report = (line: number, field: string, message: string) => void;
type Field = { node: YamlNode; line: number } | undefined;

/**
 * Reports text that readers taking the field as HTML would not show as typed (see findMarkup):
 * titles, author names and tag names are plain text in every format, and RSS readers disagree
 * on whether their elements hold HTML.
 */
function checkPlainText(text: string, line: number, field: string, what: string, report: Report): void {
  const markup = findMarkup(text, what);
  if (!markup) return;
  const address = field === 'authors' && /^<[^\s@<>]+@[^\s@<>]+>$/.test(markup.snippet);
  report(line, field, address ? `${markup.message}, as \`email\` of \`{ name, email }\`` : markup.message);
}

/** The first raw HTML (a tag or comment) among a heading's inline tokens, at any depth. */
function findInlineHtml(token: Token): string | undefined {
  for (const child of (token as { tokens?: Token[] }).tokens ?? []) {
    if (child.type === 'html') return child.raw;
    const nested = findInlineHtml(child);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

function decodeUtf8(bytes: Uint8Array): { ok: true; text: string } | { ok: false; line: number } {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // Find the first line that does not decode on its own.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          decoder.decode(bytes.subarray(start, i));
        } catch {
          return { ok: false, line };
        }
        line++;
        start = i + 1;
      }
    }
    return { ok: false, line: 1 };
  }
}

function splitFrontMatter(source: string): { frontMatter?: { text: string; firstLine: number }; body: string; bodyFirstLine: number } {
  const lines = source.split('\n');
  if (lines[0]?.trimEnd() !== '---') return { body: source, bodyFirstLine: 1 };
  const end = lines.findIndex((line, i) => i > 0 && (line.trimEnd() === '---' || line.trimEnd() === '...'));
  if (end === -1) return { body: source, bodyFirstLine: 1 };
  return {
    frontMatter: { text: lines.slice(1, end).join('\n'), firstLine: 2 },
    body: lines.slice(end + 1).join('\n'),
    bodyFirstLine: end + 2,
  };
}

function readFrontMatter(frontMatter: { text: string; firstLine: number } | undefined, report: Report): Map<string, { node: YamlNode; line: number }> {
  const fields = new Map<string, { node: YamlNode; line: number }>();
  if (!frontMatter || frontMatter.text.trim() === '') return fields;
  const lineCounter = new LineCounter();
  const doc = parseDocument(frontMatter.text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined): number => frontMatter.firstLine - 1 + (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    for (const error of doc.errors) report(lineOf(error.pos[0]), 'front matter', `invalid YAML: ${error.message.split('\n')[0]}`);
    return fields;
  }
  // YAML escapes (`"\u0001"`) can bring back characters the source text was cleaned of.
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string') node.value = stripXmlInvalid(node.value);
    },
  });
  if (!isMap(doc.contents)) {
    report(frontMatter.firstLine, 'front matter', 'expected `key: value` lines between the `---` fences');
    return fields;
  }
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const line = lineOf(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
      const hint = closestKey(key);
      // A key that is not a plain word would break the `file:line: field: problem` shape.
      const plainKey = /^[\w-]+$/.test(key);
      report(line, plainKey ? key : 'front matter', `unknown key${plainKey ? '' : ` ${JSON.stringify(key)}`}${hint ? `; did you mean \`${hint}\`?` : ''} (known keys: ${FRONT_MATTER_KEYS.join(', ')})`);
      continue;
    }
    if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
    fields.set(key, { node: pair.value as YamlNode, line });
  }
  return fields;
}

function stringField(entry: Field, name: string, report: Report): string | undefined {
  if (!entry) return undefined;
  if (isScalar(entry.node) && (typeof entry.node.value === 'string' || typeof entry.node.value === 'number')) {
    const value = String(entry.node.value).trim();
    if (value !== '') return value;
  }
  report(entry.line, name, 'expected non-empty text');
  return undefined;
}

function booleanField(entry: Field, name: string, report: Report): boolean | undefined {
  if (!entry) return undefined;
  if (isScalar(entry.node) && typeof entry.node.value === 'boolean') return entry.node.value;
  report(entry.line, name, 'expected true or false');
  return undefined;
}

function dateFieldValue(entry: { node: YamlNode; line: number }, name: string, timeZone: string, report: Report): number | undefined {
  const raw = isScalar(entry.node) ? entry.node.value : undefined;
  if (typeof raw !== 'string') {
    report(entry.line, name, `expected a date like 2023-09-25, got ${JSON.stringify(raw ?? entry.node.toJSON())}`);
    return undefined;
  }
  const result = parseDateValue(raw, timeZone);
  if (!result.ok) {
    report(entry.line, name, result.problem);
    return undefined;
  }
  return result.value;
}

function urlField(entry: Field, name: string, report: Report): string | undefined {
  const value = stringField(entry, name, report);
  if (value === undefined || !entry) return undefined;
  if (!isAbsoluteHttpUrl(value)) {
    report(entry.line, name, `expected an absolute http(s) URL such as "https://example.com/x", got ${JSON.stringify(value)}`);
    return undefined;
  }
  return new URL(value).href;
}

function authorsField(entry: Field, report: Report): Author[] | undefined {
  if (!entry) return undefined;
  const items = isSeq(entry.node) ? entry.node.items : [entry.node];
  const authors: Author[] = [];
  for (const item of items) {
    const value = (item as YamlNode).toJSON() as unknown;
    if (typeof value === 'string' && value.trim() !== '') {
      authors.push({ name: value.trim() });
    } else if (value && typeof value === 'object' && typeof (value as { name?: unknown }).name === 'string') {
      const { name, url, email } = value as { name: string; url?: unknown; email?: unknown };
      const author: Author = { name: name.trim() };
      if (url !== undefined) {
        if (typeof url === 'string' && isAbsoluteHttpUrl(url)) author.url = new URL(url).href;
        else report(entry.line, 'authors', `author url must be an absolute http(s) URL, got ${JSON.stringify(url)}`);
      }
      if (email !== undefined) {
        if (typeof email === 'string' && /^[^\s@<>]+@[^\s@<>]+$/.test(email)) author.email = email;
        else report(entry.line, 'authors', `author email is not an address: ${JSON.stringify(email)}`);
      }
      authors.push(author);
    } else {
      report(entry.line, 'authors', 'expected a name, a list of names, or a list of `{ name, url, email }`');
      return undefined;
    }
  }
  return authors.length > 0 ? authors : undefined;
}

function tagsField(entry: Field, report: Report): string[] {
  if (!entry) return [];
  const values = isSeq(entry.node) ? entry.node.items.map((item) => (item as YamlNode).toJSON() as unknown) : [entry.node.toJSON() as unknown];
  const tags: string[] = [];
  for (const value of values) {
    if ((typeof value !== 'string' && typeof value !== 'number') || String(value).trim() === '') {
      report(entry.line, 'tags', 'expected a list of non-empty names, such as [politics, russia]');
      return [];
    }
    const tag = String(value).trim();
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/** The trailing "Original url:" lines of pasted news copy, and the blocks before them. */
function takeOriginalUrlTrailer(blocks: Block[]): { url: string; line: number; rest: Block[] } | undefined {
  for (let i = blocks.length - 1; i >= Math.max(0, blocks.length - 2); i--) {
    const block = blocks[i];
    if (block?.token.type !== 'paragraph') continue;
    const text = block.token.text.trim();
    const match = /^original\s+url\s*:\s*(.*)$/is.exec(text);
    if (!match) continue;
    const inline = (match[1] ?? '').trim();
    const following = blocks.slice(i + 1);
    const next = following[0]?.token;
    const urlText = inline !== '' ? inline : following.length === 1 && next?.type === 'paragraph' ? next.text.trim() : '';
    if (urlText === '' || following.length > (inline !== '' ? 0 : 1)) return undefined;
    return { url: urlText.replace(/^<(.*)>$/s, '$1').trim(), line: block.line, rest: blocks.slice(0, i) };
  }
  return undefined;
}

/**
 * The first real paragraph: one of at least twelve words that is not a credit or label
 * line (those begin or end with bold text, like a photo caption's credit).
 */
function inferSummary(blocks: Block[]): string {
  const paragraphs = blocks.filter((b): b is Block & { token: Tokens.Paragraph } => b.token.type === 'paragraph');
  const isLabelled = (p: Tokens.Paragraph): boolean => {
    const inline = p.tokens.filter((t) => !(t.type === 'text' && t.raw.trim() === ''));
    return inline[0]?.type === 'strong' || inline[inline.length - 1]?.type === 'strong';
  };
  const real = paragraphs.find((p) => !isLabelled(p.token) && renderPlainText([p.token]).split(' ').length >= 12) ?? paragraphs[0];
  return real ? renderPlainText([real.token]) : '';
}

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\//i.test(value.trim());
  } catch {
    return false;
  }
}

function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of FRONT_MATTER_KEYS) {
    const d = editDistance(key.toLowerCase(), known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}
