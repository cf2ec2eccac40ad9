import { describe, expect, it } from 'vitest';
import { assembleFeed, type FeedInfo } from '../../../src/render/feed-document.ts';
import { type JsonFeed, renderJsonFrame, renderJsonItem } from '../../../src/render/json-feed.ts';
import type { Article } from '../../../src/site/types.ts';
import { createConfig, createInfo, createRenderArticle } from './factories.ts';

/** The JSON Feed a frame and items make, parsed. */
function jsonOf(info: FeedInfo, articles: readonly Article[] = []): JsonFeed {
  return JSON.parse(assembleFeed(renderJsonFrame(info), articles.map(renderJsonItem))) as JsonFeed;
}

describe('renderJsonItem', () => {
  it('writes every JSON Feed 1.1 item field the article has', () => {
    const article = createRenderArticle({
      title: 'Rates & <bonds> "q"',
      updatedAt: Date.parse('2024-03-05T10:00:00Z'),
      authors: [
        {
          name: 'Zoë Adams',
          url: 'https://zoe.example/',
          page: 'https://news.example/authors/zoe-adams/',
        },
        { name: 'Bo Chen', page: 'https://news.example/authors/bo-chen/' },
        { name: 'Nobody' },
      ],
      tags: ['R&D', 'Café'],
      image: 'https://cdn.example/photo.jpg',
      originalUrl: 'https://origin.example/story',
      language: 'de',
    });
    expect(jsonOf(createInfo(createConfig()), [article]).items).toEqual([
      {
        id: 'tag:news.example,2026:rate-cut',
        url: 'https://news.example/articles/rate-cut',
        external_url: 'https://origin.example/story',
        title: 'Rates & <bonds> "q"',
        content_html: '<p>The bank cut its rate by a quarter point.</p>',
        summary: 'The bank cut its rate by a quarter point.',
        image: 'https://cdn.example/photo.jpg',
        date_published: '2024-03-01T08:00:00.000Z',
        date_modified: '2024-03-05T10:00:00.000Z',
        // An author's link is their own url, else their page on the site.
        authors: [
          { name: 'Zoë Adams', url: 'https://zoe.example/' },
          { name: 'Bo Chen', url: 'https://news.example/authors/bo-chen/' },
          { name: 'Nobody' },
        ],
        tags: ['R&D', 'Café'],
        language: 'de',
      },
    ]);
  });

  it('leaves out what the article does not have, and dates an unchanged article by its publication', () => {
    const [item] = jsonOf(createInfo(createConfig()), [createRenderArticle()]).items;
    expect(item).not.toHaveProperty('external_url');
    expect(item).not.toHaveProperty('image');
    expect(item).not.toHaveProperty('tags');
    expect(item?.date_modified).toBe(item?.date_published);
  });

  it('indents an item to sit in the items array', () => {
    expect(renderJsonItem(createRenderArticle())).toMatch(
      /^ {4}\{\n {6}"id": "tag:news\.example,2026:rate-cut",\n[\s\S]*\n {4}\}$/,
    );
  });
});

describe('renderJsonFrame', () => {
  it('writes the 1.1 top level of the site feed', () => {
    const config = createConfig({
      icon: 'https://news.example/icon.png',
      logo: 'https://news.example/logo.png',
      websubHub: 'https://hub.example/',
    });
    const { items, ...top } = jsonOf(createInfo(config));
    expect(items).toEqual([]);
    expect(top).toEqual({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Fixture News',
      home_page_url: 'https://news.example/',
      feed_url: 'https://news.example/feed.json',
      description: 'Articles the tests build.',
      icon: 'https://news.example/logo.png',
      favicon: 'https://news.example/icon.png',
      language: 'en',
      authors: [{ name: 'Fixture Desk' }],
      hubs: [{ type: 'WebSub', url: 'https://hub.example/' }],
    });
  });

  it('points an archive page at its subscription and the next older page only, without a hub', () => {
    const config = createConfig({ websubHub: 'https://hub.example/' });
    const page = jsonOf(
      createInfo(config, {
        self: 'https://news.example/archive/2/',
        homeUrl: 'https://news.example/archive/2/',
        description: '',
        subscribable: false,
        paging: {
          first: 'https://news.example/',
          next: 'https://news.example/archive/1/',
          previous: 'https://news.example/',
          last: 'https://news.example/archive/1/',
        },
        author: { name: 'Bo Chen', page: 'https://news.example/authors/bo-chen/' },
      }),
    );
    expect(page).toMatchObject({
      home_page_url: 'https://news.example/archive/2/',
      feed_url: 'https://news.example/feed.json',
      next_url: 'https://news.example/archive/1/feed.json',
    });
    expect(page.authors).toEqual([
      { name: 'Bo Chen', url: 'https://news.example/authors/bo-chen/' },
    ]);
    expect(page).not.toHaveProperty('hubs');
    expect(page).not.toHaveProperty('description');
  });

  it('joins items with the frame separator into one valid document', () => {
    const articles = ['one', 'two', 'three'].map((slug) =>
      createRenderArticle({ slug, title: slug }),
    );
    const frame = renderJsonFrame(createInfo(createConfig()));
    expect(frame.separator).toBe(',\n');
    expect(jsonOf(createInfo(createConfig()), articles).items.map((i) => i.title)).toEqual([
      'one',
      'two',
      'three',
    ]);
  });
});
