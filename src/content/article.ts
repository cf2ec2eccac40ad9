import { stripXmlInvalid } from '../render/text.ts';
import type { Author, SiteConfig } from '../site/types.ts';
import { deriveFileSlug, isArticleSlug } from './article-slug.ts';
import { isLanguageTag } from './config.ts';
import { decodeUtf8 } from './decode-utf8.ts';
import {
  checkPlainText,
  isAbsoluteHttpUrl,
  readAuthors,
  readBoolean,
  readDate,
  readString,
  readTags,
  readUrl,
} from './fields.ts';
import { type FrontMatterField, readFrontMatter, splitFrontMatter } from './front-matter.ts';
import { lexBlocks, renderBlocks } from './markdown.ts';
import {
  findInlineHtml,
  findTitleHeading,
  inferSummary,
  readDateLine,
  takeOriginalUrlTrailer,
} from './news-copy.ts';
import { findMarkup } from './plain-text.ts';
import type { Problem } from './problem.ts';

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

/**
 * Reads one article file: UTF-8 markdown with optional YAML front matter. Fields the
 * front matter leaves out are inferred from the body as news copy writes them: title from
 * the first `# ` heading, date from a date line under it, original URL from trailing
 * "Original url:" lines, summary from the first real paragraph.
 */
export function parseArticle(
  file: string,
  bytes: Uint8Array,
  config: SiteConfig,
): { article?: ParsedArticle; problems: Problem[] } {
  try {
    return readArticle(file, bytes, config);
  } catch (error) {
    // marked and sanitize-html recurse once per level of nesting.
    if (!(error instanceof RangeError)) throw error;
    return {
      problems: [
        {
          file,
          line: 1,
          field: 'body',
          message:
            'nested too deeply to render (quotes, lists or emphasis inside each other thousands of times): flatten it',
        },
      ],
    };
  }
}

function readArticle(
  file: string,
  bytes: Uint8Array,
  config: SiteConfig,
): { article?: ParsedArticle; problems: Problem[] } {
  const problems: Problem[] = [];
  const report = (line: number, field: string, message: string): void => {
    problems.push({ file, line, field, message });
  };

  const slug = deriveFileSlug(file);
  if (!isArticleSlug(slug)) {
    report(
      1,
      'slug',
      `file name must be lowercase letters, digits, "-" or "_" (it becomes the URL), got ${JSON.stringify(file.split('/').pop())}`,
    );
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
  const field = (name: string): FrontMatterField | undefined => fields.get(name);

  const permalink = `${config.siteUrl}/articles/${slug}`;
  const timeZone = config.timeZone;

  let blocks = lexBlocks(body, bodyFirstLine).filter((b) => b.token.type !== 'space');

  // Title: front matter, else the first level-1 heading (which then leaves the body).
  let title = readString(field('title'), 'title', report);
  const heading = findTitleHeading(blocks);
  let titleLine = field('title')?.line;
  if (heading) {
    if (title === undefined) {
      title = heading.text;
      titleLine = heading.line;
      // Markdown in the heading becomes its words; raw HTML would silently lose its tags.
      const html = findInlineHtml(heading.token);
      if (html !== undefined)
        report(
          heading.line,
          'title',
          findMarkup(html, 'titles')?.message ??
            `${JSON.stringify(html)} is HTML: titles are plain text, so leave it out`,
        );
    }
    if (heading.first && heading.text === title) blocks = blocks.slice(1);
  }
  if (title === undefined || title.trim() === '') {
    report(
      field('title')?.line ?? bodyFirstLine,
      'title',
      'missing: add `title:` to the front matter or start the body with a `# Heading`',
    );
  } else if (!problems.some((p) => p.field === 'title')) {
    checkPlainText(title, titleLine ?? bodyFirstLine, 'title', 'titles', report);
  }

  // Date: front matter, else a date line right under the title heading.
  let publishedAt: number | undefined;
  const dateField = field('date');
  if (dateField) {
    publishedAt = readDate(dateField, 'date', timeZone, report);
  } else {
    const inferred = readDateLine(blocks, timeZone);
    if (inferred !== undefined) {
      publishedAt = inferred;
      blocks = blocks.slice(1);
    } else {
      report(
        bodyFirstLine,
        'date',
        'missing: add `date: 2023-09-25` to the front matter or a date line such as "September 25, 2023" under the title',
      );
    }
  }

  const updatedField = field('updated');
  const updatedAt = updatedField ? readDate(updatedField, 'updated', timeZone, report) : undefined;
  if (
    updatedField &&
    updatedAt !== undefined &&
    publishedAt !== undefined &&
    updatedAt < publishedAt
  ) {
    report(
      updatedField.line,
      'updated',
      'is earlier than `date`: an article cannot be updated before it is published',
    );
  }

  // Original URL: front matter, else trailing "Original url:" lines (which leave the body).
  let originalUrl = readUrl(field('original_url'), 'original_url', report);
  const trailer = takeOriginalUrlTrailer(blocks);
  if (trailer) {
    blocks = trailer.rest;
    if (originalUrl === undefined) {
      if (isAbsoluteHttpUrl(trailer.url)) originalUrl = new URL(trailer.url).href;
      else
        report(
          trailer.line,
          'original_url',
          `expected an absolute http(s) URL, got ${JSON.stringify(trailer.url)}`,
        );
    }
  }

  const contentHtml = renderBlocks(
    blocks.map((b) => b.token),
    permalink,
  );
  if (contentHtml === '') {
    report(bodyFirstLine, 'body', 'empty: the article has no text to publish');
  }

  const summary = readString(field('summary'), 'summary', report) ?? inferSummary(blocks);

  const authors = readAuthors(field('authors'), report) ?? [{ name: config.defaultAuthor }];
  const tags = readTags(field('tags'), report);
  const image = readUrl(field('image'), 'image', report);
  const lang = readString(field('lang'), 'lang', report);
  if (lang !== undefined && !isLanguageTag(lang)) {
    report(
      field('lang')?.line ?? 1,
      'lang',
      `expected a BCP 47 language tag such as "en" or "pt-BR", got ${JSON.stringify(lang)}`,
    );
  }
  const draft = readBoolean(field('draft'), 'draft', report) ?? false;

  // Names are plain text too; checked in the order the fields stand in the file.
  const nameFields: [line: number, field: string, what: string, values: string[]][] = [
    // Without `authors`, SITE_AUTHOR stands in; the configuration checks it.
    [
      field('authors')?.line ?? 1,
      'authors',
      'author names',
      field('authors') ? authors.map((a) => a.name) : [],
    ],
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
