import { slugify } from '../site/slug.ts';
import type { Article, Author, SiteConfig } from '../site/types.ts';
import { authorLinkOf } from './feed-document.ts';
import { escapeHtml as e } from './text.ts';

/**
 * The one stylesheet, inlined in every page; its hash goes into the CSP. System fonts only:
 * a page makes no request beyond itself and the article's own images.
 */
export const STYLESHEET = `
:root{color-scheme:light dark;--fg:#1b1b1d;--bg:#fcfcfa;--muted:#595c63;--accent:#0b57d0;--rule:#dcdbd5;--soft:#f2f1ec;--code:#eceae4;--serif:Charter,"Bitstream Charter","Sitka Text",Cambria,"Noto Serif","DejaVu Serif",Georgia,serif;--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;--mono:ui-monospace,"SF Mono",Menlo,Consolas,"Noto Sans Mono","DejaVu Sans Mono",monospace}
@media (prefers-color-scheme:dark){:root{--fg:#e7e6e2;--bg:#151517;--muted:#a6a6ad;--accent:#8ab4f8;--rule:#37373d;--soft:#1f1f23;--code:#26262b}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--bg);color:var(--fg);font:clamp(1.0625rem,1rem + .3vw,1.1875rem)/1.65 var(--serif);overflow-wrap:break-word}
.wrap{width:100%;max-width:42rem;margin:0 auto;padding:0 1.25rem}
main{flex:1 0 auto}
header.site{border-bottom:1px solid var(--rule);font-family:var(--sans)}
header.site .wrap{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:.25rem 1rem;padding-block:.9rem}
.brand{color:var(--fg);font-weight:700;font-size:1.05rem;letter-spacing:.01em;text-decoration:none}
header.site nav{font-size:.9rem}
footer.site{margin-top:4rem;border-top:1px solid var(--rule);color:var(--muted);font:.875rem/1.6 var(--sans)}
footer.site .wrap{padding-block:1.5rem 2.5rem}
footer.site p{margin:0 0 .25rem}
a{color:var(--accent);text-decoration-thickness:.07em;text-underline-offset:.16em}
a:hover{text-decoration-thickness:.14em}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:2px}
h1,h2,h3,h4,h5,h6{font-family:var(--sans);line-height:1.25;text-wrap:balance}
h1{font-size:clamp(1.75rem,1.3rem + 2.2vw,2.5rem);line-height:1.15;letter-spacing:-.01em;margin:2.25rem 0 .75rem}
body>main:first-child>h1:first-child{margin-top:clamp(2.25rem,1rem + 5vw,4rem)}
p,li,blockquote{text-wrap:pretty}
.meta{color:var(--muted);font:.9rem/1.5 var(--sans);margin:0 0 1rem}
.lede{color:var(--muted);font-size:1.1em;margin:0 0 1.5rem}
p,ul,ol,dl,blockquote,pre,figure,table,details{margin:0 0 1.15em}
.content{margin-top:2rem}
.content h1,.content h2{font-size:1.4rem;margin:2.2rem 0 .6rem}
.content h3,.content h4,.content h5,.content h6{font-size:1.15rem;margin:1.8rem 0 .5rem}
.content li{margin:.3em 0}
.content img{display:block;max-width:100%;height:auto;margin:1.5rem auto}
.content a{overflow-wrap:anywhere}
figure{margin-inline:0}
figcaption{color:var(--muted);font:.875rem/1.5 var(--sans);margin-top:.5rem}
blockquote{margin-inline:0;padding:.1rem 0 .1rem 1.1rem;border-left:3px solid var(--rule)}
hr{border:0;border-top:1px solid var(--rule);margin:2.5rem 0}
code,kbd,samp,pre{font-family:var(--mono);font-size:.86em}
:not(pre)>code{background:var(--code);padding:.1em .3em;border-radius:.25em;overflow-wrap:anywhere}
pre{background:var(--code);padding:.9rem 1rem;border-radius:.4rem;overflow-x:auto;line-height:1.5;tab-size:2}
table{display:block;max-width:100%;overflow-x:auto;border-collapse:collapse;font:.92rem/1.45 var(--sans)}
th,td{padding:.4rem .7rem;border-bottom:1px solid var(--rule);text-align:start;vertical-align:top}
.source{background:var(--soft);border-left:3px solid var(--accent);padding:.65rem 1rem;font:.92rem/1.5 var(--sans)}
.lead{margin:1.5rem 0 0}.lead img{display:block;width:100%;height:auto;border-radius:.3rem}
article footer{margin-top:2.5rem;padding-top:1rem;border-top:1px solid var(--rule);font:.9rem/1.5 var(--sans)}
.tags,.feeds{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:0 0 1rem}
.tags a,.feeds a{display:inline-block;padding:.2rem .75rem;border:1px solid var(--rule);border-radius:999px;text-decoration:none;font:.875rem/1.6 var(--sans)}
.feeds a{border-color:var(--accent);font-weight:600}
.tags a:hover,.feeds a:hover{background:var(--soft)}
.subscribe{background:var(--soft);border-radius:.6rem;padding:1rem 1.25rem;margin:0 0 2rem;font-family:var(--sans)}
.subscribe h2{font-size:1rem;margin:0 0 .6rem}
.subscribe .feeds{margin-bottom:.6rem}
.help{color:var(--muted);font-size:.875rem;line-height:1.5;margin:0}
ol.articles{list-style:none;padding:0;margin:0}
ol.articles>li{border-top:1px solid var(--rule);padding:1.25rem 0}
ol.articles h2{font-size:1.3rem;margin:0 0 .3rem}
ol.articles h2 a{color:var(--fg);text-decoration:none}
ol.articles h2 a:hover{text-decoration:underline}
ol.articles .meta{margin:0 0 .4rem}
ol.articles p{margin:0}
.pager{display:flex;flex-wrap:wrap;justify-content:space-between;gap:1rem;margin:1rem 0 0;padding-top:1.25rem;border-top:1px solid var(--rule);font-family:var(--sans)}
.pager a[rel=next]{margin-left:auto}
.pager a[rel=prev]::before{content:"← "/""}
.pager a[rel=next]::after{content:" →"/""}
@media print{header.site nav,footer.site,.subscribe,.pager{display:none}body{background:#fff;color:#000}a{color:inherit}}
`.trim();

/** Formats an instant as a readable date in the site's time zone, e.g. "25 September 2023". */
export function formatHumanDate(epochMs: number, config: SiteConfig): string {
  const key = `${config.language}|${config.timeZone}`;
  let format = DATE_FORMATS.get(key);
  if (!format) {
    // Making a formatter is far costlier than using one: keep one per language and zone.
    format = new Intl.DateTimeFormat(config.language, { dateStyle: 'long', timeZone: config.timeZone });
    DATE_FORMATS.set(key, format);
  }
  return format.format(new Date(epochMs));
}

const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Links to the three feeds that make a page discoverable by feed readers. */
export interface FeedLinks {
  rss: string;
  atom: string;
  json: string;
}

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
  const website = options.author?.url ? `<p class="meta">Website: <a href="${e(options.author.url)}">${e(displayUrl(options.author.url))}</a></p>\n` : '';
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

/** Renders one article's page at its permalink; `tagUrl` gives each tag's page. */
export function renderArticlePage(config: SiteConfig, article: Article, feeds: FeedLinks, tagUrl: (tag: string) => string): string {
  const updated = article.updatedAt !== undefined ? ` · Updated ${renderTime(article.updatedAt, config)}` : '';
  const byline = article.authors.length > 0 ? ` · By ${renderNames(article.authors, config.language)}` : '';
  const original = article.originalUrl
    ? `<p class="source">First published at <a href="${e(article.originalUrl)}">${e(displayHost(article.originalUrl))}</a>.</p>\n`
    : '';
  // The front-matter image leads the page unless the body already shows it.
  const lead = article.image && !article.contentHtml.includes(e(article.image)) ? `<figure class="lead"><img src="${e(article.image)}" alt=""></figure>\n` : '';
  const tags =
    article.tags.length > 0
      ? `<h2 class="meta">Tags</h2>\n<ul class="tags">${article.tags.map((t) => `<li><a rel="tag" href="${e(tagUrl(t))}">${e(t)}</a></li>`).join('')}</ul>\n`
      : '';
  const body = `<main class="wrap">
<article>
<header>
<h1>${e(article.title)}</h1>
<p class="meta">${renderTime(article.publishedAt, config)}${updated}${byline}</p>
${original}</header>
${lead}<div class="content">
${focusableScrollers(article.contentHtml)}
</div>
<footer>
${tags}<p><a href="${e(config.siteUrl)}/">← All articles</a></p>
</footer>
</article>
</main>`;
  const social: Record<string, string | string[]> = {
    'og:type': 'article',
    'og:site_name': config.title,
    'og:title': article.title,
    'og:description': article.summary,
    'og:url': article.permalink,
    ...(article.image ? { 'og:image': article.image } : {}),
    'article:published_time': isoOf(article.publishedAt),
    ...(article.updatedAt !== undefined ? { 'article:modified_time': isoOf(article.updatedAt) } : {}),
    'article:tag': article.tags,
    'twitter:card': article.image ? 'summary_large_image' : 'summary',
    'twitter:title': article.title,
    'twitter:description': article.summary,
    ...(article.image ? { 'twitter:image': article.image } : {}),
  };
  return renderDocument({
    config,
    title: `${article.title} · ${config.title}`,
    lang: article.language,
    canonical: article.permalink,
    feeds,
    feedTitle: config.title,
    description: article.summary,
    authors: article.authors.map((a) => a.name).join(', '),
    meta: social,
    structuredData: describeArticle(config, article),
    body,
  });
}

/** Renders the page people see for an unknown address. */
export function renderNotFoundPage(config: SiteConfig, feeds: FeedLinks): string {
  const body = `<main class="wrap">
<h1>Page not found</h1>
<p>There is nothing at this address. The link may be mistyped, or the page may have moved.</p>
<p>The <a href="${e(config.siteUrl)}/">front page</a> lists every article, newest first.</p>
</main>`;
  return renderDocument({ config, title: `Page not found · ${config.title}`, lang: config.language, feeds, feedTitle: config.title, robots: 'noindex', body });
}

/**
 * schema.org `Article` data for search engines and link previews (JSON-LD, as Google's
 * "Article structured data" guide asks: headline, dates, author, publisher, image).
 */
export function describeArticle(config: SiteConfig, article: Article): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: article.title,
    description: article.summary,
    url: article.permalink,
    mainEntityOfPage: { '@type': 'WebPage', '@id': article.permalink },
    datePublished: isoOf(article.publishedAt),
    dateModified: isoOf(article.updatedAt ?? article.publishedAt),
    author: article.authors.map((a) => {
      const url = authorLinkOf(a);
      return { '@type': typeOfAuthor(config, a), name: a.name, ...(url ? { url } : {}) };
    }),
    publisher: {
      '@type': 'Organization',
      name: config.title,
      url: `${config.siteUrl}/`,
      ...(config.logo ? { logo: { '@type': 'ImageObject', url: config.logo } } : {}),
    },
    ...(article.image ? { image: [article.image] } : {}),
    inLanguage: article.language,
    ...(article.tags.length > 0 ? { keywords: article.tags } : {}),
    ...(article.originalUrl ? { isBasedOn: article.originalUrl } : {}),
  };
}

/**
 * The schema.org type of an author: SITE_AUTHOR (by slug, so also where front matter names it)
 * is what SITE_AUTHOR_TYPE says, a Person or an Organization; anyone else is a Person.
 */
function typeOfAuthor(config: SiteConfig, author: Author): 'Person' | 'Organization' {
  return slugify(author.name) === slugify(config.defaultAuthor) ? config.defaultAuthorType : 'Person';
}

/**
 * Serialises JSON for a `<script type="application/ld+json">` data block. `<` becomes
 * `\u003c`, so no `</script>` or `<!--` in the data can end or change the element
 * (HTML §4.12.1.3, restrictions for contents of script elements).
 */
export function serializeJsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function renderSubscribe(feeds: FeedLinks): string {
  return `<section class="subscribe" aria-labelledby="subscribe">
<h2 id="subscribe">Subscribe</h2>
<ul class="feeds"><li><a type="application/rss+xml" href="${e(feeds.rss)}">RSS</a></li><li><a type="application/atom+xml" href="${e(feeds.atom)}">Atom</a></li><li><a type="application/feed+json" href="${e(feeds.json)}">JSON Feed</a></li></ul>
<p class="help">A feed reader is an app that checks sites for you and shows each new article as it appears: copy any one of these links into yours.</p>
</section>`;
}

function renderTime(epochMs: number, config: SiteConfig): string {
  return `<time datetime="${isoOf(epochMs)}">${e(formatHumanDate(epochMs, config))}</time>`;
}

const listFormats = new Map<string, Intl.ListFormat>();

/** One list formatter per language: making one costs more than using it. */
function listFormatFor(language: string): Intl.ListFormat {
  let format = listFormats.get(language);
  if (format === undefined) listFormats.set(language, (format = new Intl.ListFormat(language, { type: 'conjunction' })));
  return format;
}

/** "Ann Lee, Bo Chen and Cy Diaz", each linked to the author's page (or, with none, their own URL). */
function renderNames(authors: readonly Author[], language: string): string {
  const parts = listFormatFor(language).formatToParts(authors.map((a) => a.name));
  let index = 0;
  return parts
    .map((part) => {
      if (part.type === 'literal') return e(part.value);
      const author = authors[index++];
      const href = author?.page ?? author?.url;
      // HTML §4.6.7.2: rel="author" leads to information about the article's author.
      return href ? `<a rel="author" href="${e(href)}">${e(part.value)}</a>` : e(part.value);
    })
    .join('');
}

/**
 * Code blocks and tables scroll sideways when wider than the screen; `tabindex="0"` lets
 * keyboard users scroll them too (WCAG 2.1.1). The sanitizer leaves these tags without
 * attributes, so the bare tags are all there is to match.
 */
function focusableScrollers(html: string): string {
  return html.replace(/<(pre|table)>/g, '<$1 tabindex="0">');
}

function displayHost(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

/** A URL as people read it: host and path, without the scheme or a lone trailing slash. */
function displayUrl(url: string): string {
  const { pathname, search } = new URL(url);
  return `${displayHost(url)}${pathname === '/' ? '' : pathname.replace(/\/$/, '')}${search}`;
}

function isoOf(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

interface DocumentOptions {
  config: SiteConfig;
  title: string;
  lang: string;
  canonical?: string;
  feeds: FeedLinks;
  /** Names the feeds in autodiscovery links, e.g. the site or "Site · tag". */
  feedTitle: string;
  description?: string;
  authors?: string;
  robots?: string;
  /** Whether the bar with the site's name and a Subscribe link tops the page (default true). */
  siteBar?: boolean;
  /** Where the header's Subscribe link leads: this page's feed links, or the front page's. */
  subscribeHref?: string;
  /** OpenGraph (`og:`, `article:`) and Twitter card properties; a list repeats the property. */
  meta?: Record<string, string | string[]>;
  structuredData?: Record<string, unknown>;
  body: string;
}

function renderDocument(options: DocumentOptions): string {
  const { config, title, lang, canonical, feeds, feedTitle, body } = options;
  const head = [
    options.description ? `<meta name="description" content="${e(options.description)}">` : '',
    options.authors ? `<meta name="author" content="${e(options.authors)}">` : '',
    options.robots ? `<meta name="robots" content="${e(options.robots)}">` : '',
    canonical ? `<link rel="canonical" href="${e(canonical)}">` : '',
    `<link rel="alternate" type="application/rss+xml" title="${e(feedTitle)} (RSS)" href="${e(feeds.rss)}">`,
    `<link rel="alternate" type="application/atom+xml" title="${e(feedTitle)} (Atom)" href="${e(feeds.atom)}">`,
    `<link rel="alternate" type="application/feed+json" title="${e(feedTitle)} (JSON Feed)" href="${e(feeds.json)}">`,
    config.icon ? `<link rel="icon" href="${e(config.icon)}">` : '',
    // OpenGraph uses `property`, Twitter cards `name` (ogp.me; developer.x.com card markup).
    ...Object.entries(options.meta ?? {}).flatMap(([key, value]) =>
      (Array.isArray(value) ? value : [value]).map((v) => `<meta ${key.startsWith('twitter:') ? 'name' : 'property'}="${e(key)}" content="${e(v)}">`),
    ),
    options.structuredData ? `<script type="application/ld+json">${serializeJsonForScript(options.structuredData)}</script>` : '',
  ].filter(Boolean);
  return `<!doctype html>
<html lang="${e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${e(title)}</title>
${head.join('\n')}
<style>${STYLESHEET}</style>
</head>
<body>
${options.siteBar === false ? '' : `<header class="site"><div class="wrap"><a class="brand" href="${e(config.siteUrl)}/">${e(config.title)}</a><nav aria-label="Site"><a href="${e(options.subscribeHref ?? `${config.siteUrl}/#subscribe`)}">Subscribe</a></nav></div></header>
`}${body}
<footer class="site"><div class="wrap">
<p>${e(config.title)}${config.description ? ` · ${e(config.description)}` : ''}</p>
<p>Follow in a feed reader: <a href="${e(feeds.rss)}">RSS</a> · <a href="${e(feeds.atom)}">Atom</a> · <a href="${e(feeds.json)}">JSON Feed</a></p>
</div></footer>
</body>
</html>
`;
}
