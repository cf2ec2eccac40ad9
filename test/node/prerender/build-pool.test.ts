import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArticle } from '../../../src/content/article.ts';
import { parseBuildLimits } from '../../../src/content/limits.ts';
import {
  type ArticleFile,
  type ParseJob,
  type ReadResult,
  readArticles,
} from '../../../src/content/read-articles.ts';
import { withLazyParts } from '../../../src/prerender/articles.ts';
import { BuildPool } from '../../../src/prerender/build-pool.ts';
import { renderArticleFragments } from '../../../src/prerender/fragments.ts';
import type { BuildOptions } from '../../../src/prerender/run.ts';
import type { Article } from '../../../src/site/types.ts';
import {
  type ArticleFixture,
  FIXTURE_VARS,
  formatArticle,
  PAGED_ARTICLES,
  PAGED_VARS,
} from '../../support/fixtures.ts';
import { createConfig, createRenderArticle } from '../render/factories.ts';
import { FIXTURE_NOW, runTestBuild, useTemporaryProjects } from '../support.ts';

const projects = useTemporaryProjects();

const config = createConfig();
// Two batches and more (src/prerender/build-pool.ts sends 200 at a time), so both workers render.
const articles = Array.from({ length: 250 }, (_, i) =>
  createRenderArticle({
    slug: `story-${i}`,
    title: `Story ${i} <& "quoted">`,
    tags: [`tag ${i % 7}`],
    contentHtml: `<p>Body ${i} with ]]> and é.</p>`,
  }),
);

/** Markdown nested `depth` quotes deep under valid front matter. */
const nested = (depth: number): string =>
  `---\ntitle: T\ndate: 2024-03-01\n---\n${'> '.repeat(depth)}deep\n`;

// One pool for the tests in order (starting one costs about half a second); the last one fails it.
describe('the build pool', () => {
  const pool = new BuildPool(config, 2);
  afterAll(() => pool.close());

  it('gives every article exactly the fragments the main thread renders', async () => {
    const rendered = await pool.render(articles);
    expect(rendered.size).toBe(articles.length);
    expect(pool.done.rendered).toBe(articles.length);
    for (const article of articles) {
      const here = renderArticleFragments(article, config);
      const there = rendered.get(article.slug);
      for (const name of ['page', 'rss', 'atom', 'json'] as const)
        expect(Buffer.from(there?.[name] ?? []).equals(Buffer.from(here[name])), name).toBe(true);
    }
  });

  it('sends an article whose summary and body are read lazily (from the build cache) with both', async () => {
    const [first] = articles;
    if (!first) throw new Error('no article');
    const lazy = withLazyParts(first, {
      summary: () => first.summary,
      html: () => first.contentHtml,
    });
    const rendered = await pool.render([lazy]);
    expect(Buffer.from(rendered.get(first.slug)?.page ?? []).toString()).toContain('Body 0 with');
  });

  it('gives every file exactly what parseArticle gives on the main thread, problems too', async () => {
    const sources = [
      ...PAGED_ARTICLES.map(formatArticle),
      '---\ntitle: T\ndate: someday\nextra: 1\n---\nBody.\n',
      // Deeper than the main thread's stack takes, not a default worker's (4 MiB): refused both ways.
      nested(3500),
    ];
    const jobs = [
      ...sources.map((text) => Buffer.from(text)),
      Buffer.from('not \xff UTF-8', 'latin1'),
    ].map((bytes, i) => ({ file: `articles/f-${i}.md`, bytes }));
    const here = jobs.map(({ file, bytes }) => parseArticle(file, bytes, config));
    // Buffer.from keeps small ones in a shared pool: those go over as copies.
    expect(jobs.some(({ bytes }) => bytes.byteLength < bytes.buffer.byteLength)).toBe(true);
    const there = await Promise.all([pool.parse(jobs.slice(0, 10)), pool.parse(jobs.slice(10))]);
    expect(there.flat()).toEqual(here);
    expect(here.filter((r) => r.problems.length > 0).length).toBe(3);
    expect(pool.done.parsed).toBe(jobs.length);
  });

  it('rejects with the error a worker met, and every task after it', async () => {
    const broken = { ...articles[3], authors: undefined } as unknown as Article;
    await expect(
      pool.render([...articles.slice(0, 3), broken, ...articles.slice(4)]),
    ).rejects.toThrow(/authors|undefined/);
    await expect(pool.render(articles.slice(0, 1))).rejects.toThrow(/authors|undefined/);
    await expect(pool.parse([])).rejects.toThrow(/authors|undefined/);
  });
});

describe('parsing in batches', () => {
  it('keeps the results in file order however the batches come back, with a few in flight', async () => {
    const root = await projects.project(
      Array.from({ length: 60 }, (_, i) => ({
        name: `a-${String(i).padStart(3, '0')}.md`,
        frontMatter: { title: `Article ${i}`, date: i % 17 === 5 ? 'someday' : '2024-03-01' },
        body: `Body ${i}.\n`,
      })),
    );
    const files: ArticleFile[] = (await readdir(join(root, 'articles')))
      .sort()
      .map((name) => ({ file: `articles/${name}`, path: join(root, 'articles', name) }));
    const limits = parseBuildLimits(FIXTURE_VARS);
    const alone = await readArticles(files, config, limits);
    expect(alone.filter((r) => r.problems.length > 0).length).toBe(4);
    let inFlight = 0;
    let most = 0;
    const batches: number[] = [];
    const parser = {
      minFiles: 10,
      batchSize: 7,
      inFlight: 3,
      parse: async (jobs: readonly ParseJob[]): Promise<ReadResult[]> => {
        batches.push(jobs.length);
        most = Math.max(most, ++inFlight);
        const results = jobs.map(({ file, bytes }) => parseArticle(file, bytes, config));
        // Later batches come back first.
        await new Promise((resolve) => setTimeout(resolve, 12 - 2 * (batches.length % 5)));
        inFlight--;
        return results;
      },
    };
    expect(await readArticles(files, config, limits, undefined, parser)).toEqual(alone);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(files.length);
    expect(batches.length).toBe(Math.ceil(files.length / 7));
    expect(most).toBe(3);
    // Below `minFiles`, nothing goes to the parser.
    batches.length = 0;
    await readArticles(files, config, limits, undefined, { ...parser, minFiles: files.length + 1 });
    expect(batches).toEqual([]);
  });
});

describe('a build on worker threads', () => {
  /** Builds `fixtures` into `root` (fresh unless given): every file the build wrote, by path, and what it reported. */
  const output = async (
    fixtures: readonly ArticleFixture[],
    options: Partial<BuildOptions>,
    root?: string,
  ) => {
    const dir = root ?? (await projects.project(fixtures));
    const result = await runTestBuild({
      root: dir,
      vars: { ...FIXTURE_VARS, ...PAGED_VARS },
      now: FIXTURE_NOW,
      outFile: 'src/generated/site.js',
      ...options,
    });
    const files: Record<string, string> = {};
    const out = join(dir, 'src', 'generated');
    for (const entry of await readdir(out, { recursive: true, withFileTypes: true }).catch(
      () => [],
    )) {
      const path = join(entry.parentPath, entry.name);
      if (entry.isFile() && !entry.name.startsWith('.build-manifest'))
        files[relative(out, path).replace(/^\.site\.assets\.\d/, 'assets')] = (
          await readFile(path)
        ).toString('base64');
    }
    return { files, result, root: dir };
  };

  it('writes the same files, byte for byte, as a build on the main thread, cold and from the cache', async () => {
    // With the cache, the build id hashes the render keys: the files differ from a build without.
    for (const cache of [false, true]) {
      const alone = await output(PAGED_ARTICLES, { cache, poolMinArticles: Infinity });
      expect(alone.result.ok && alone.result.pool).toBeUndefined();
      expect(Object.keys(alone.files).length).toBeGreaterThan(40);
      const pooled = await output(PAGED_ARTICLES, { cache, poolMinArticles: 2 });
      expect(pooled.files).toEqual(alone.files);
      // Both halves ran there: a parse that fell back to the main thread would show here.
      expect(pooled.result.ok && pooled.result.pool).toEqual({
        parsed: PAGED_ARTICLES.length,
        rendered: PAGED_ARTICLES.length,
      });
      if (!cache) continue;
      expect(pooled.result.cache?.parse).toEqual({ hits: 0, misses: PAGED_ARTICLES.length });
      // Again over the same files: every parse and render from the cache, none on the pool.
      await rm(join(pooled.root, 'src', 'generated'), { recursive: true });
      const again = await output(PAGED_ARTICLES, { cache, poolMinArticles: 2 }, pooled.root);
      expect(again.files).toEqual(alone.files);
      expect(again.result.cache?.parse).toEqual({ hits: PAGED_ARTICLES.length, misses: 0 });
      expect(again.result.ok && again.result.pool).toBeUndefined();
    }
  });

  it('reports exactly the problems a build on the main thread reports, in the same order', async () => {
    const broken: ArticleFixture[] = [
      ...PAGED_ARTICLES,
      {
        name: 'bad-date.md',
        frontMatter: { title: 'T', date: 'someday', image: 'nope' },
        body: '',
      },
      { name: 'deep.md', body: nested(3500) },
    ];
    const messages = async (options: Partial<BuildOptions>) => {
      const root = await projects.project(broken);
      // Bytes a fixture cannot hold: not UTF-8.
      await writeFile(join(root, 'articles', 'latin-1.md'), Buffer.from('# Caf\xe9\n', 'latin1'));
      const { result } = await output(broken, { cache: false, ...options }, root);
      if (result.ok) throw new Error('the broken site built');
      return { messages: result.messages, pool: result.pool };
    };
    const alone = await messages({ poolMinArticles: Infinity });
    expect(alone.messages.length).toBeGreaterThan(2);
    expect(alone.messages).toContain(
      'articles/deep.md:1: body: nested too deeply to render (quotes, lists or emphasis inside each other thousands of times): flatten it',
    );
    expect(alone.messages.some((m) => m.startsWith('articles/latin-1.md:1: '))).toBe(true);
    const pooled = await messages({ poolMinArticles: 2 });
    expect(pooled.messages).toEqual(alone.messages);
    expect(pooled.pool).toEqual({ parsed: broken.length + 1, rendered: 0 });
  });
});
