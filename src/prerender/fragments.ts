import { renderArticlePage } from '../render/article-page.ts';
import { renderAtomEntries } from '../render/atom.ts';
import { renderJsonItem } from '../render/json-feed.ts';
import { listFeedLinks } from '../render/page-layout.ts';
import { renderRssItems } from '../render/rss.ts';
import { slugify } from '../site/slug.ts';
import type { Article, SiteConfig } from '../site/types.ts';
import { transcodeUtf8 } from './utf8.ts';
import { assertWellFormed } from './well-formed.ts';

/** An article's renderings (page, RSS item, Atom entry, JSON Feed item) as UTF-8, which depend on nothing but the article and the configuration. */
export interface ArticleFragments {
  page: Uint8Array;
  rss: Uint8Array;
  atom: Uint8Array;
  json: Uint8Array;
}

/**
 * The fragments the build cache keeps of an article: its feed items. Its page is a settled file
 * of its own, kept by the assets folder, and rendered again (`renderPageFragment`) on the rare
 * build that needs it without the article having changed: keeping pages too made the cache
 * nearly twice as large (645 MB at 20,000 articles), all of it written by every cold build.
 */
export type FeedFragments = Omit<ArticleFragments, 'page'>;

/** An article's page as UTF-8, in an ArrayBuffer of its own. */
export function renderPageFragment(article: Article, config: SiteConfig): Uint8Array {
  const tagUrl = (tag: string): string =>
    `${config.siteUrl}/tags/${encodeURIComponent(slugify(tag))}/`;
  return transcodeUtf8(
    renderArticlePage(config, article, listFeedLinks(`${config.siteUrl}/`), tagUrl),
  );
}

/**
 * Renders an article's fragments, checking that its XML items are well-formed. Each is UTF-8
 * in an ArrayBuffer of its own (`transcodeUtf8`'s), so a worker thread can hand them over without
 * copying (src/prerender/build-pool.ts).
 */
export function renderArticleFragments(article: Article, config: SiteConfig): ArticleFragments {
  return renderArticlesFragments([article], config)[0] as ArticleFragments;
}

/**
 * Renders the fragments of each of `articles` (in their order) as renderArticleFragments does.
 * Their RSS items share one feed document and their Atom entries another, so that feed's work
 * for a document's channel (about 90 µs an article for both) is done once for the batch.
 */
export function renderArticlesFragments(
  articles: readonly Article[],
  config: SiteConfig,
): ArticleFragments[] {
  // Each item is checked before its body goes in (safe-feed.ts, "Content").
  const rssItems = renderRssItems(articles, config, (item) => assertWellFormed(item, 'rss', true));
  const atomEntries = renderAtomEntries(articles, config, (entry) =>
    assertWellFormed(entry, 'atom', true),
  );
  return articles.map((article, i) => ({
    page: renderPageFragment(article, config),
    rss: transcodeUtf8(rssItems[i] as string),
    atom: transcodeUtf8(atomEntries[i] as string),
    json: transcodeUtf8(renderJsonItem(article)),
  }));
}
