import type { SiteConfig } from '../site/types.ts';
import { FEED_FILES } from './feed-document.ts';
import { serializeJsonForScript } from './json-ld.ts';
import { STYLESHEET } from './stylesheet.ts';
import { escapeHtml as e } from './text.ts';

// What every page shares: the document around its body (head, site bar, footer), and the way
// dates, links and feed addresses read on a page.

/** Links to the three feeds that make a page discoverable by feed readers. */
export interface FeedLinks {
  rss: string;
  atom: string;
  json: string;
}

/** The feed links of a feed location (a base URL ending in `/`). */
export function listFeedLinks(location: string): FeedLinks {
  return {
    rss: location + FEED_FILES.rss,
    atom: location + FEED_FILES.atom,
    json: location + FEED_FILES.json,
  };
}

/** An instant as a `<time>` element: machine-readable RFC 3339, shown as a date in the site's time zone. */
export function renderTime(epochMs: number, config: SiteConfig): string {
  // An article's date is shown on its page and on the list pages of the site, each tag and each
  // author: made once (about 7 µs with the formatting), the element is looked up the other times.
  const { format, times } = datesOf(config);
  let time = times.get(epochMs);
  if (time === undefined) {
    time = `<time datetime="${formatIso(epochMs)}">${e(format.format(new Date(epochMs)))}</time>`;
    if (times.size < TIME_MEMO_LIMIT) times.set(epochMs, time);
  }
  return time;
}

/** How dates read in one language and time zone (the only settings they depend on). */
interface DateSetting {
  /** A readable date in the language ("25 September 2023" in en-GB): making a formatter is far costlier than using one. */
  format: Intl.DateTimeFormat;
  /** The `<time>` elements made so far. */
  times: Map<number, string>;
}

function datesOf(config: SiteConfig): DateSetting {
  const key = `${config.language}|${config.timeZone}`;
  let setting = DATE_SETTINGS.get(key);
  if (!setting) {
    const format = new Intl.DateTimeFormat(config.language, {
      dateStyle: 'long',
      timeZone: config.timeZone,
    });
    setting = { format, times: new Map() };
    DATE_SETTINGS.set(key, setting);
  }
  return setting;
}

const DATE_SETTINGS = new Map<string, DateSetting>();

/** At most this many instants a setting are remembered (an archive's articles, about 200 bytes each). */
const TIME_MEMO_LIMIT = 100_000;

/** A URL's host as people read it, without `www.`. */
export function displayHost(url: string): string {
  return new URL(url).hostname.replace(/^www\./, '');
}

/** A URL as people read it: host and path, without the scheme or a lone trailing slash. */
export function displayUrl(url: string): string {
  const { pathname, search } = new URL(url);
  return `${displayHost(url)}${pathname === '/' ? '' : pathname.replace(/\/$/, '')}${search}`;
}

/** An instant as RFC 3339 in UTC, with milliseconds (`Date.prototype.toISOString`). */
export function formatIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** What a page's document holds around its body. */
export interface DocumentOptions {
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

/** Renders a whole HTML page: the head (metadata, feed autodiscovery, the inline stylesheet), the site bar, the body and the footer. */
export function renderDocument(options: DocumentOptions): string {
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
      (Array.isArray(value) ? value : [value]).map(
        (v) =>
          `<meta ${key.startsWith('twitter:') ? 'name' : 'property'}="${e(key)}" content="${e(v)}">`,
      ),
    ),
    options.structuredData
      ? `<script type="application/ld+json">${serializeJsonForScript(options.structuredData)}</script>`
      : '',
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
${
  options.siteBar === false
    ? ''
    : `<header class="site"><div class="wrap"><a class="brand" href="${e(config.siteUrl)}/">${e(config.title)}</a><nav aria-label="Site"><a href="${e(options.subscribeHref ?? `${config.siteUrl}/#subscribe`)}">Subscribe</a></nav></div></header>
`
}${body}
<footer class="site"><div class="wrap">
<p>${e(config.title)}${config.description ? ` · ${e(config.description)}` : ''}</p>
<p>Follow in a feed reader: <a href="${e(feeds.rss)}">RSS</a> · <a href="${e(feeds.atom)}">Atom</a> · <a href="${e(feeds.json)}">JSON Feed</a></p>
</div></footer>
</body>
</html>
`;
}
