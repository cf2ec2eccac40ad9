import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withLazyParts } from '../../../src/prerender/articles.ts';
import { renderArticleFragments } from '../../../src/prerender/fragments.ts';
import { renderInParallel } from '../../../src/prerender/render-pool.ts';
import type { Article } from '../../../src/site/types.ts';
import { FIXTURE_VARS, PAGED_ARTICLES, PAGED_VARS, writeArticles } from '../../support/fixtures.ts';
import { createConfig, createRenderArticle } from '../render/factories.ts';
import { FIXTURE_NOW, runTestBuild } from '../support.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

const config = createConfig();
// Two batches and more (src/prerender/render-pool.ts sends 200 at a time), so both workers render.
const articles = Array.from({ length: 250 }, (_, i) =>
  createRenderArticle({
    slug: `story-${i}`,
    title: `Story ${i} <& "quoted">`,
    tags: [`tag ${i % 7}`],
    contentHtml: `<p>Body ${i} with ]]> and é.</p>`,
  }),
);

describe('rendering on worker threads', () => {
  it('gives every article exactly the fragments the main thread renders', async () => {
    const rendered = await renderInParallel(articles, config, 2);
    expect(rendered.size).toBe(articles.length);
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
    const rendered = await renderInParallel([lazy], config, 1);
    expect(Buffer.from(rendered.get(first.slug)?.page ?? []).toString()).toContain('Body 0 with');
  });

  it('rejects with the error a worker met, and lets the build go on no further', async () => {
    const broken = { ...articles[3], authors: undefined } as unknown as Article;
    await expect(
      renderInParallel([...articles.slice(0, 3), broken, ...articles.slice(4)], config, 2),
    ).rejects.toThrow(/authors|undefined/);
  });

  it('makes a build write the same files, byte for byte, with and without the cache', async () => {
    const output = async (options: { poolMinArticles?: number; cache?: boolean }) => {
      const root = await writeArticles(PAGED_ARTICLES);
      roots.push(root);
      const result = await runTestBuild({
        root,
        vars: { ...FIXTURE_VARS, ...PAGED_VARS },
        now: FIXTURE_NOW,
        outFile: 'src/generated/site.js',
        ...options,
      });
      if (!result.ok) throw new Error(result.messages.join('\n'));
      const dir = join(root, 'src', 'generated');
      const files: Record<string, string> = {};
      for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
        const path = join(entry.parentPath, entry.name);
        if (entry.isFile() && !entry.name.startsWith('.build-manifest'))
          files[relative(dir, path).replace(/^\.site\.assets\.\d/, 'assets')] = (
            await readFile(path)
          ).toString('base64');
      }
      return files;
    };
    for (const cache of [false, true]) {
      const alone = await output({ cache });
      expect(Object.keys(alone).length).toBeGreaterThan(40);
      expect(await output({ cache, poolMinArticles: 0 })).toEqual(alone);
    }
  });
});
