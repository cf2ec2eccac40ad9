// Content tier: the real articles/ as they will be published.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Element } from '@xmldom/xmldom';
import { decodeHTML } from 'entities';
import { parse as parseToml } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ParsedArticle, parseArticle } from '../../../src/content/article.ts';
import { parseSiteConfig, type RawVars } from '../../../src/content/config.ts';
import { listArticleFiles } from '../../../src/content/list-articles.ts';
import { formatProblem } from '../../../src/content/problem.ts';
import type { JsonFeed } from '../../../src/render/json-feed.ts';
import type { SiteConfig } from '../../../src/site/types.ts';
import {
  ATOM_NS,
  allBodies,
  childElements,
  childText,
  parseXmlStrict,
  REPO_ROOT,
  runTestBuild,
  servedFeeds,
} from '../support.ts';

const ARTICLES_DIR = join(REPO_ROOT, 'articles');

/** Every href and src attribute value in an HTML fragment or document. */
function linksIn(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
}

/** Links in a served body; a JSON body's strings are read after parsing (its quotes are escaped). */
function linksInBody(body: string): string[] {
  if (!body.trimStart().startsWith('{')) return linksIn(body);
  const links: string[] = [];
  JSON.parse(body, (key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (
      [
        'url',
        'external_url',
        'image',
        'home_page_url',
        'feed_url',
        'icon',
        'favicon',
        'next_url',
      ].includes(key)
    )
      links.push(value);
    else links.push(...linksIn(value));
    return value;
  });
  return links;
}

// As the build lists them: subfolders included, links refused.
const listing = await listArticleFiles(REPO_ROOT, ARTICLES_DIR);
const files = listing.files.map((f) => f.file);

describe('articles/', () => {
  let config: SiteConfig;
  const parsed = new Map<string, ParsedArticle>();

  beforeAll(async () => {
    const toml = parseToml(await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8')) as {
      vars: RawVars;
    };
    config = parseSiteConfig(toml.vars);
    for (const name of files) {
      const result = parseArticle(name, await readFile(join(REPO_ROOT, name)), config);
      if (result.article) parsed.set(name, result.article);
      if (result.problems.length > 0)
        throw new Error(result.problems.map(formatProblem).join('\n'));
    }
  });

  it('holds at least one article, and nothing the build refuses', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(listing.problems.map(formatProblem)).toEqual([]);
  });

  it('builds without problems', async () => {
    const result = await runTestBuild({ root: REPO_ROOT });
    expect(result.ok ? [] : result.messages).toEqual([]);
    expect(result.ok && result.articleCount).toBe(
      [...parsed.values()].filter((a) => !a.draft).length,
    );
  });

  it('gives every article its own slug', () => {
    const slugs = [...parsed.values()].map((a) => a.slug);
    expect(slugs).toHaveLength(files.length);
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it.each(files)('%s has a title, valid dates and a summary', (name) => {
    const article = parsed.get(name);
    expect(article?.title.trim()).not.toBe('');
    expect(article?.summary.trim()).not.toBe('');
    const published = new Date(article?.publishedAt ?? Number.NaN);
    expect(Number.isNaN(published.getTime())).toBe(false);
    expect(published.getUTCFullYear()).toBeGreaterThanOrEqual(1970);
    expect(published.getUTCFullYear()).toBeLessThanOrEqual(9999);
    if (article?.updatedAt !== undefined)
      expect(article.updatedAt).toBeGreaterThanOrEqual(article.publishedAt);
  });

  it.each(files)('%s links only to absolute http(s) URLs', (name) => {
    const article = parsed.get(name);
    const links = [
      ...linksIn(article?.contentHtml ?? ''),
      ...(article?.image ? [article.image] : []),
      ...(article?.originalUrl ? [article.originalUrl] : []),
    ];
    for (const link of links) expect(link).toMatch(/^https?:\/\/[^/\s]+/);
    for (const author of article?.authors ?? [])
      if (author.url) expect(author.url).toMatch(/^https?:\/\//);
  });

  it('publishes only absolute http(s) links in every feed and page', async () => {
    const result = await runTestBuild({ root: REPO_ROOT });
    if (!result.ok) throw new Error(result.messages.join('\n'));
    const links = allBodies(result.site).flatMap(linksInBody);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !/^https?:\/\//.test(link))).toEqual([]);
  });
});

const SEED_FILE = 'articles/moscow-rebuffs-armenian-pms-claims-of-betrayal.md';
const SEED_TITLE = "Moscow Rebuffs Armenian PM's Claims of Betrayal";
const SEED_ORIGINAL =
  'https://www.themoscowtimes.com/2023/09/25/moscow-rebuffs-armenian-pms-claims-of-betrayal-a82557';
const RSS_NS = { content: 'http://purl.org/rss/1.0/modules/content/', atom: ATOM_NS };

/** The seed's body paragraphs as a reader sees them: between the date line and "Original url:", markup gone. */
function seedParagraphs(markdown: string): string[] {
  const blocks = markdown
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const start = blocks.indexOf('September 25, 2023') + 1;
  const end = blocks.indexOf('Original url:');
  return blocks
    .slice(start, end)
    .map((b) => b.replace(/\*\*/g, '').replace(/\[([^\]]*)\]\(#\)/g, '$1'));
}

/** The text of each `<p>` in an HTML fragment. */
function paragraphsOf(html: string): string[] {
  return [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) =>
    decodeHTML((m[1] ?? '').replace(/<[^>]*>/g, '')),
  );
}

/** The text of an Atom text construct, decoded as its `type` says (RFC 4287 §3.1). */
function atomText(element: Element | undefined): string {
  const text = element?.textContent ?? '';
  return element?.getAttribute('type') === 'html' ? decodeHTML(text) : text;
}

describe('the seed article, as published from articles/', () => {
  let feeds: { rss: Element; atom: Element; json: JsonFeed['items'][number] };
  let paragraphs: string[];
  let seedUrl: string;

  beforeAll(async () => {
    paragraphs = seedParagraphs(await readFile(join(REPO_ROOT, SEED_FILE), 'utf8'));
    const result = await runTestBuild({ root: REPO_ROOT });
    if (!result.ok) throw new Error(result.messages.join('\n'));
    seedUrl = `${result.site.config.siteUrl}/articles/moscow-rebuffs-armenian-pms-claims-of-betrayal`;
    const served = servedFeeds(result.site);
    const channel = childElements(
      parseXmlStrict(served.rss.body).documentElement as Element,
      'channel',
    )[0] as Element;
    const atom = parseXmlStrict(served.atom.body).documentElement as Element;
    const json = JSON.parse(served.json.body) as JsonFeed;
    const rss = childElements(channel, 'item').find((item) => childText(item, 'link') === seedUrl);
    const entry = childElements(atom, 'entry', ATOM_NS).find((e) =>
      childElements(e, 'link', ATOM_NS).some(
        (l) =>
          (l.getAttribute('rel') ?? 'alternate') === 'alternate' &&
          l.getAttribute('href') === seedUrl,
      ),
    );
    const item = json.items.find((i) => i.url === seedUrl);
    if (!rss || !entry || !item)
      throw new Error(
        `the seed is missing from a feed: rss ${Boolean(rss)}, atom ${Boolean(entry)}, json ${Boolean(item)}`,
      );
    feeds = { rss, atom: entry, json: item };
  });

  it('reads a body of many paragraphs from the file', () => {
    expect(paragraphs.length).toBeGreaterThan(10);
    expect(paragraphs[0]).toBe(
      "Russia's Foreign Ministry building in Moscow. Russian Foreign Ministry / Facebook",
    );
  });

  it('has the heading as its title in every feed', () => {
    expect(childText(feeds.rss, 'title')).toBe(SEED_TITLE);
    expect(atomText(childElements(feeds.atom, 'title', ATOM_NS)[0])).toBe(SEED_TITLE);
    expect(feeds.json.title).toBe(SEED_TITLE);
  });

  it('has the date line as its publication date in every feed', () => {
    expect(childText(feeds.rss, 'pubDate')).toBe('Mon, 25 Sep 2023 00:00:00 GMT');
    expect(Date.parse(childText(feeds.atom, 'published', ATOM_NS) ?? '')).toBe(
      Date.parse('2023-09-25T00:00:00Z'),
    );
    expect(Date.parse(feeds.json.date_published ?? '')).toBe(Date.parse('2023-09-25T00:00:00Z'));
  });

  it('links the original URL as the source in every feed', () => {
    const via = (item: Element, ns: string) =>
      childElements(item, 'link', ns)
        .filter((l) => l.getAttribute('rel') === 'via')
        .map((l) => l.getAttribute('href'));
    expect(via(feeds.rss, RSS_NS.atom)).toEqual([SEED_ORIGINAL]);
    expect(via(feeds.atom, ATOM_NS)).toEqual([SEED_ORIGINAL]);
    expect(feeds.json.external_url).toBe(SEED_ORIGINAL);
  });

  it('carries the whole body, paragraph for paragraph, and nothing else, in every feed', () => {
    const bodies = [
      childText(feeds.rss, 'encoded', RSS_NS.content),
      atomText(childElements(feeds.atom, 'content', ATOM_NS)[0]),
      feeds.json.content_html,
    ];
    for (const body of bodies) expect(paragraphsOf(body ?? '')).toEqual(paragraphs);
  });
});
