// Content tier: the real articles/ as they will be published.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, type ParsedArticle, parseArticle } from '../../src/build/article.ts';
import { parseSiteConfig, type RawVars } from '../../src/build/config.ts';
import { runBuild } from '../../src/build/run.ts';
import type { SiteConfig } from '../../src/site/types.ts';
import { allBodies, REPO_ROOT } from './support.ts';

const ARTICLES_DIR = join(REPO_ROOT, 'articles');

/** Every href and src attribute value in an HTML fragment or document. */
function linksIn(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

/** Links in a served body; a JSON body's strings are read after parsing (its quotes are escaped). */
function linksInBody(body: string): string[] {
  if (!body.trimStart().startsWith('{')) return linksIn(body);
  const links: string[] = [];
  JSON.parse(body, (key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (['url', 'external_url', 'image', 'home_page_url', 'feed_url', 'icon', 'favicon', 'next_url'].includes(key)) links.push(value);
    else links.push(...linksIn(value));
    return value;
  });
  return links;
}

const files = (await readdir(ARTICLES_DIR)).filter((name) => /\.(md|markdown)$/i.test(name)).sort();

describe('articles/', () => {
  let config: SiteConfig;
  const parsed = new Map<string, ParsedArticle>();

  beforeAll(async () => {
    const toml = parseToml(await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8')) as { vars: RawVars };
    config = parseSiteConfig(toml.vars);
    for (const name of files) {
      const result = parseArticle(`articles/${name}`, await readFile(join(ARTICLES_DIR, name)), config);
      if (result.article) parsed.set(name, result.article);
      if (result.problems.length > 0) throw new Error(result.problems.map(formatProblem).join('\n'));
    }
  });

  it('holds at least one article', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('builds without problems', async () => {
    const result = await runBuild({ root: REPO_ROOT });
    expect(result.ok ? [] : result.messages).toEqual([]);
    expect(result.ok && result.articleCount).toBe([...parsed.values()].filter((a) => !a.draft).length);
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
    if (article?.updatedAt !== undefined) expect(article.updatedAt).toBeGreaterThanOrEqual(article.publishedAt);
  });

  it.each(files)('%s links only to absolute http(s) URLs', (name) => {
    const article = parsed.get(name);
    const links = [...linksIn(article?.contentHtml ?? ''), ...(article?.image ? [article.image] : []), ...(article?.originalUrl ? [article.originalUrl] : [])];
    for (const link of links) expect(link).toMatch(/^https?:\/\/[^/\s]+/);
    for (const author of article?.authors ?? []) if (author.url) expect(author.url).toMatch(/^https?:\/\//);
  });

  it('publishes only absolute http(s) links in every feed and page', async () => {
    const result = await runBuild({ root: REPO_ROOT });
    if (!result.ok) throw new Error(result.messages.join('\n'));
    const links = allBodies(result.site).flatMap(linksInBody);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => !/^https?:\/\//.test(link))).toEqual([]);
  });
});
