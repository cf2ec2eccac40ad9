import type { Article, Author, SiteConfig } from '../site/types.ts';
import { displayUrl, type FeedLinks, renderDocument, renderTime } from './page-layout.ts';
import { escapeHtml as e } from './text.ts';

/** What a list page shows: the index, a tag's or an author's page, or an archive page of one. */
export interface ListPageOptions {
  config: SiteConfig;
  /** The `<title>` and `<h1>`. */
  heading: string;
  description?: string;
  articles: readonly Article[];
  /** The feeds this page mirrors, for autodiscovery and the Subscribe links. */
  feeds: FeedLinks;
  /** On an author's page: the author, whose own url the page links. */
  author?: Author;
  canonical: string;
  /** Neighbouring pages: newer articles and older ones. */
  newer?: string;
  older?: string;
}

/** Renders a list page: newest articles with dates and summaries, the feeds, and paging. */
export function renderListPage(options: ListPageOptions): string {
  const { config, articles, feeds } = options;
  const list = articles
    .map(
      (a) => `<li><article>
<h2><a href="${e(a.permalink)}">${e(a.title)}</a></h2>
<p class="meta">${renderTime(a.publishedAt, config)}</p>
<p>${e(a.summary)}</p>
</article></li>`,
    )
    .join('\n');
  const pager = [
    options.newer ? `<a rel="prev" href="${e(options.newer)}">Newer articles</a>` : '',
    options.older ? `<a rel="next" href="${e(options.older)}">Older articles</a>` : '',
  ].filter(Boolean);
  const website = options.author?.url
    ? `<p class="meta">Website: <a href="${e(options.author.url)}">${e(displayUrl(options.author.url))}</a></p>\n`
    : '';
  const body = `<main class="wrap">
<h1>${e(options.heading)}</h1>
${options.description ? `<p class="lede">${e(options.description)}</p>\n` : ''}${website}${renderSubscribe(feeds)}
${articles.length > 0 ? `<ol class="articles">\n${list}\n</ol>` : '<p>No articles yet.</p>'}
${pager.length > 0 ? `<nav class="pager" aria-label="More articles">${pager.join('\n')}</nav>\n` : ''}</main>`;
  const social: Record<string, string> = {
    'og:type': 'website',
    'og:site_name': config.title,
    'og:title': options.heading,
    'og:url': options.canonical,
    ...(options.description ? { 'og:description': options.description } : {}),
    ...(config.logo ? { 'og:image': config.logo } : {}),
    'twitter:card': 'summary',
  };
  return renderDocument({
    config,
    title: options.heading,
    lang: config.language,
    canonical: options.canonical,
    feeds,
    feedTitle: options.heading,
    ...(options.description ? { description: options.description } : {}),
    meta: social,
    // Absolute, like every link the site publishes; the same page, so the browser only scrolls.
    subscribeHref: `${options.canonical}#subscribe`,
    // The front page's own heading is the site's name: no bar above it repeating it.
    siteBar: options.canonical !== `${config.siteUrl}/`,
    body,
  });
}

function renderSubscribe(feeds: FeedLinks): string {
  return `<section class="subscribe" aria-labelledby="subscribe">
<h2 id="subscribe">Subscribe</h2>
<ul class="feeds"><li><a type="application/rss+xml" href="${e(feeds.rss)}">RSS</a></li><li><a type="application/atom+xml" href="${e(feeds.atom)}">Atom</a></li><li><a type="application/feed+json" href="${e(feeds.json)}">JSON Feed</a></li></ul>
<p class="help">A feed reader is an app that checks sites for you and shows each new article as it appears: copy any one of these links into yours.</p>
</section>`;
}
