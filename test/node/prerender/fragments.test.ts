// The build's workers render articles' fragments a batch at a time: the same bytes as an
// article alone.
import { describe, expect, it } from 'vitest';
import {
  renderArticleFragments,
  renderArticlesFragments,
} from '../../../src/prerender/fragments.ts';
import { FEED_SHAPES } from '../../../src/render/safe-feed.ts';
import { createConfig, createRenderArticle } from '../render/factories.ts';

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
  // Holds the start tags feed prints: a body goes in after the cut, so they cannot move it.
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
});
