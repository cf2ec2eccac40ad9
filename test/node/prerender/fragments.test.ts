// The build renders articles' fragments a batch at a time (on the workers, and on the main
// thread): the same bytes as an article alone, each XML item still checked.
import { describe, expect, it, vi } from 'vitest';
import {
  renderArticleFragments,
  renderArticlesFragments,
} from '../../../src/prerender/fragments.ts';
import { renderAtomEntries } from '../../../src/render/atom.ts';
import { renderRssItems } from '../../../src/render/rss.ts';
import { FEED_SHAPES } from '../../../src/render/safe-feed.ts';
import type { Article, SiteConfig } from '../../../src/site/types.ts';
import { createConfig, createRenderArticle } from '../render/factories.ts';

const FRAGMENTS = '../../../src/prerender/fragments.ts';

/**
 * renderArticlesFragments from a module graph of its own in which `path`'s `name` (an item
 * renderer) gives what `replace` makes of the real items. The node project shares one module
 * graph across files (vitest.config.ts `isolate: false`), so the graph is made afresh for the
 * stand-in, and again after it for the files that follow.
 */
async function withRenderer(
  path: '../../../src/render/rss.ts' | '../../../src/render/atom.ts',
  name: 'renderRssItems' | 'renderAtomEntries',
  replace: (items: string[]) => string[],
  use: (render: typeof renderArticlesFragments) => void,
): Promise<void> {
  const real = { renderRssItems, renderAtomEntries }[name];
  vi.doMock(path, async (importOriginal) => ({
    ...(await importOriginal<object>()),
    [name]: (articles: readonly Article[], site: SiteConfig) => replace(real(articles, site)),
  }));
  vi.resetModules();
  try {
    use(
      ((await import(FRAGMENTS)) as typeof import('../../../src/prerender/fragments.ts'))
        .renderArticlesFragments,
    );
  } finally {
    vi.doUnmock(path);
    vi.resetModules();
  }
}

const config = createConfig({ language: 'en' });
const articles = [
  createRenderArticle({ slug: 'one', language: 'de', originalUrl: 'https://wire.example/1' }),
  createRenderArticle({
    slug: 'two',
    image: 'https://cdn.example/two.png',
    authors: [{ name: 'Zoë & Bo', email: 'zoe@news.example', url: 'https://zoe.example/' }],
    tags: ['Economy', 'A&B'],
    contentHtml: '<p>]]> &amp; &lt; é 😀</p>',
  }),
  // Holds the start tags feed prints: the batch is rendered again an item a document.
  createRenderArticle({
    slug: 'three',
    contentHtml: `<p>${FEED_SHAPES.rss2.open}${FEED_SHAPES.atom1.open}</p>`,
  }),
  createRenderArticle({ slug: 'four', language: 'fr' }),
];

const bytesOf = (fragments: ReturnType<typeof renderArticleFragments>) =>
  (['page', 'rss', 'atom', 'json'] as const).map((name) => Buffer.from(fragments[name]).toString());

describe('rendering the fragments of a batch of articles', () => {
  it('gives each article the bytes it gets alone, with or without an item start tag in a body', () => {
    for (const batch of [articles, articles.filter((a) => a.slug !== 'three')]) {
      const rendered = renderArticlesFragments(batch, config);
      expect(rendered.map(bytesOf)).toEqual(
        batch.map((article) => bytesOf(renderArticleFragments(article, config))),
      );
    }
  });

  it('refuses a batch whose last RSS item or Atom entry is not well-formed XML', async () => {
    const unclosed = (items: string[]) =>
      items.map((item, i) =>
        i === items.length - 1 ? item.replace(/<\/(item|entry)>$/, '') : item,
      );
    await withRenderer('../../../src/render/rss.ts', 'renderRssItems', unclosed, (render) => {
      expect(() => render(articles, config)).toThrow(
        /^internal error: rss output is not well-formed XML/,
      );
    });
    await withRenderer('../../../src/render/atom.ts', 'renderAtomEntries', unclosed, (render) => {
      expect(() => render(articles, config)).toThrow(
        /^internal error: atom output is not well-formed XML/,
      );
    });
  });
});
