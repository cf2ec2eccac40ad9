// Inputs for the renderers' direct tests: a site, articles and feed documents as the build hands them over.
import type { FeedInfo } from '../../../src/render/feed-document.ts';
import type { Article, SiteConfig } from '../../../src/site/types.ts';

/** A site configuration as the build validates it from FIXTURE_VARS, with the given overrides. */
export function createConfig(overrides: Partial<SiteConfig> = {}): SiteConfig {
  return {
    siteUrl: 'https://news.example',
    title: 'Fixture News',
    description: 'Articles the tests build.',
    language: 'en',
    defaultAuthor: 'Fixture Desk',
    defaultAuthorType: 'Person',
    siteId: 'tag:news.example,2026:',
    feedItemLimit: 20,
    timeZone: 'UTC',
    queryLimitMax: 100,
    edgeCache: 'computed',
    cache: {
      feedMaxAge: 300,
      feedSMaxAge: 300,
      pageMaxAge: 300,
      pageSMaxAge: 300,
      archiveMaxAge: 86_400,
      staleWhileRevalidate: 60,
    },
    ...overrides,
  };
}

/** A published article as the build makes it, with fixed dates and the given overrides. */
export function createRenderArticle(overrides: Partial<Article> = {}): Article {
  const slug = overrides.slug ?? 'rate-cut';
  return {
    slug,
    id: `tag:news.example,2026:${slug}`,
    permalink: `https://news.example/articles/${slug}`,
    title: 'Central bank cuts rates',
    publishedAt: Date.parse('2024-03-01T08:00:00Z'),
    summary: 'The bank cut its rate by a quarter point.',
    contentHtml: '<p>The bank cut its rate by a quarter point.</p>',
    authors: [{ name: 'Fixture Desk', page: 'https://news.example/authors/fixture-desk/' }],
    tags: [],
    language: 'en',
    ...overrides,
  };
}

/** The site's subscription document (no paging beyond itself), for `config`. */
export function createInfo(config: SiteConfig, overrides: Partial<FeedInfo> = {}): FeedInfo {
  const main = `${config.siteUrl}/`;
  return {
    config,
    title: config.title,
    description: config.description,
    homeUrl: main,
    self: main,
    subscription: main,
    paging: { first: main, last: main },
    updatedAt: Date.parse('2024-03-01T08:00:00Z'),
    subscribable: true,
    ...overrides,
  };
}
