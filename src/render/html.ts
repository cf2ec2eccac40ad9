import type { Article, SiteConfig } from '../site/types.ts';
import { escapeHtml as e } from './text.ts';

/** The one stylesheet, inlined in every page; its hash goes into the CSP. */
export const STYLESHEET = `
:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fdfdfc;--muted:#5f6368;--accent:#0b57d0;--rule:#e3e3e0}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e6;--bg:#161617;--muted:#a1a1a6;--accent:#8ab4f8;--rule:#333}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1.0625rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:break-word}
main,header.site,footer.site{max-width:42rem;margin:0 auto;padding:0 1.25rem}
header.site{padding-top:1.5rem}
header.site a{color:inherit;text-decoration:none;font-weight:600}
footer.site{margin-top:3rem;padding-bottom:2rem;border-top:1px solid var(--rule);color:var(--muted);font-size:.9rem}
a{color:var(--accent)}
h1{font-size:clamp(1.6rem,5vw,2.3rem);line-height:1.2;margin:1.5rem 0 .5rem}
.meta{color:var(--muted);font-size:.95rem;margin:0 0 1.5rem}
.content img{max-width:100%;height:auto}
.content pre{overflow-x:auto;padding:.75rem;background:rgba(127,127,127,.12)}
.content blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid var(--rule);color:var(--muted)}
ol.articles{list-style:none;padding:0}
ol.articles li{margin:0 0 1.75rem}
ol.articles h2{font-size:1.25rem;margin:0 0 .25rem}
ol.articles p{margin:.25rem 0}
.subscribe{padding:.75rem 1rem;border:1px solid var(--rule);border-radius:.5rem}
.pager{margin:2rem 0}
`.trim();

/** Formats an instant as a readable date in the site's time zone, e.g. "25 September 2023". */
export function formatHumanDate(epochMs: number, config: SiteConfig): string {
  return new Intl.DateTimeFormat(config.language, { dateStyle: 'long', timeZone: config.timeZone }).format(new Date(epochMs));
}

/** Links to the three feeds that make a page discoverable by feed readers. */
export interface FeedLinks {
  rss: string;
  atom: string;
  json: string;
}

/** What a list page shows: the index, a tag's page, or an archive page of either. */
export interface ListPageOptions {
  config: SiteConfig;
  /** The `<title>` and `<h1>`. */
  heading: string;
  description?: string;
  articles: readonly Article[];
  /** The feeds this page mirrors, for autodiscovery and the Subscribe links. */
  feeds: FeedLinks;
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
      (a) => `<li><article><h2><a href="${e(a.permalink)}">${e(a.title)}</a></h2>
<p class="meta"><time datetime="${new Date(a.publishedAt).toISOString()}">${e(formatHumanDate(a.publishedAt, config))}</time></p>
<p>${e(a.summary)}</p></article></li>`,
    )
    .join('\n');
  const pager = [
    options.newer ? `<a rel="prev" href="${e(options.newer)}">Newer articles</a>` : '',
    options.older ? `<a rel="next" href="${e(options.older)}">Older articles</a>` : '',
  ].filter(Boolean);
  const body = `<main>
<h1>${e(options.heading)}</h1>
${options.description ? `<p class="meta">${e(options.description)}</p>` : ''}
<p class="subscribe">Subscribe: <a href="${e(feeds.rss)}">RSS</a> · <a href="${e(feeds.atom)}">Atom</a> · <a href="${e(feeds.json)}">JSON Feed</a><br>
<small>Paste one of these addresses, or this page's, into a feed reader to get new articles as they appear.</small></p>
${articles.length > 0 ? `<ol class="articles">\n${list}\n</ol>` : '<p>No articles yet.</p>'}
${pager.length > 0 ? `<nav class="pager">${pager.join(' · ')}</nav>` : ''}
</main>`;
  return renderDocument({ config, title: options.heading, lang: config.language, canonical: options.canonical, feeds, feedTitle: options.heading, body });
}

/** Renders one article's page at its permalink; `tagUrl` gives each tag's page. */
export function renderArticlePage(config: SiteConfig, article: Article, feeds: FeedLinks, tagUrl: (tag: string) => string): string {
  const authors = article.authors.map((a) => (a.url ? `<a href="${e(a.url)}">${e(a.name)}</a>` : e(a.name))).join(', ');
  const original = article.originalUrl
    ? `<p class="meta">Originally published at <a href="${e(article.originalUrl)}">${e(new URL(article.originalUrl).hostname)}</a></p>`
    : '';
  const updated =
    article.updatedAt !== undefined
      ? ` · updated <time datetime="${new Date(article.updatedAt).toISOString()}">${e(formatHumanDate(article.updatedAt, config))}</time>`
      : '';
  const tags = article.tags.length > 0 ? `<p class="meta">Tags: ${article.tags.map((t) => `<a rel="tag" href="${e(tagUrl(t))}">${e(t)}</a>`).join(', ')}</p>` : '';
  const body = `<main>
<article>
<h1>${e(article.title)}</h1>
<p class="meta"><time datetime="${new Date(article.publishedAt).toISOString()}">${e(formatHumanDate(article.publishedAt, config))}</time>${updated} · ${authors}</p>
${original}
<div class="content">
${article.contentHtml}
</div>
${tags}
</article>
</main>`;
  return renderDocument({ config, title: `${article.title} · ${config.title}`, lang: article.language, canonical: article.permalink, feeds, feedTitle: config.title, body });
}

/** Renders the page people see for an unknown address. */
export function renderNotFoundPage(config: SiteConfig, feeds: FeedLinks): string {
  const body = `<main>
<h1>Page not found</h1>
<p>There is nothing at this address. The <a href="${e(config.siteUrl)}/">front page</a> lists every article.</p>
</main>`;
  return renderDocument({ config, title: `Not found · ${config.title}`, lang: config.language, feeds, feedTitle: config.title, body });
}

interface DocumentOptions {
  config: SiteConfig;
  title: string;
  lang: string;
  canonical?: string;
  feeds: FeedLinks;
  /** Names the feeds in autodiscovery links, e.g. the site or "Site · tag". */
  feedTitle: string;
  body: string;
}

function renderDocument({ config, title, lang, canonical, feeds, feedTitle, body }: DocumentOptions): string {
  return `<!doctype html>
<html lang="${e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
${canonical ? `<link rel="canonical" href="${e(canonical)}">\n` : ''}<link rel="alternate" type="application/rss+xml" title="${e(feedTitle)} (RSS)" href="${e(feeds.rss)}">
<link rel="alternate" type="application/atom+xml" title="${e(feedTitle)} (Atom)" href="${e(feeds.atom)}">
<link rel="alternate" type="application/feed+json" title="${e(feedTitle)} (JSON Feed)" href="${e(feeds.json)}">
<style>${STYLESHEET}</style>
</head>
<body>
<header class="site"><a href="${e(config.siteUrl)}/">${e(config.title)}</a></header>
${body}
<footer class="site">Feeds: <a href="${e(feeds.rss)}">RSS</a> · <a href="${e(feeds.atom)}">Atom</a> · <a href="${e(feeds.json)}">JSON Feed</a></footer>
</body>
</html>
`;
}
