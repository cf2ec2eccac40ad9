/** Site-wide settings, validated by the build from wrangler.toml `[vars]`. */
export interface SiteConfig {
  /** Absolute base URL without a trailing slash, e.g. `https://news.example`. */
  siteUrl: string;
  title: string;
  description: string;
  /** BCP 47 language tag of the site, e.g. `en`. */
  language: string;
  /** Author used for articles whose front matter names none. */
  defaultAuthor: string;
  /** Permanent RFC 4151 `tag:` prefix for feed and item ids; never changes with the host. */
  siteId: string;
  /** Items per feed document. */
  feedItemLimit: number;
  /** IANA time zone in which date-only values are read. */
  timeZone: string;
  cache: CacheConfig;
}

/** Lifetimes in seconds for `Cache-Control` (`max-age` for readers, `s-maxage` for shared caches). */
export interface CacheConfig {
  feedMaxAge: number;
  feedSMaxAge: number;
  pageMaxAge: number;
  pageSMaxAge: number;
  staleWhileRevalidate: number;
}

/** A person credited on an article. */
export interface Author {
  name: string;
  url?: string;
  email?: string;
}

/** One published article after the build: everything the renderers need, nothing else. */
export interface Article {
  slug: string;
  /** Permanent id (a `tag:` URI); does not depend on scheme, host, trailing slash or title. */
  id: string;
  /** Absolute URL of the article's HTML page. */
  permalink: string;
  title: string;
  /** Publication instant, epoch milliseconds. */
  publishedAt: number;
  /** Last significant change, epoch milliseconds; absent when never updated. */
  updatedAt?: number;
  /** Plain-text summary. */
  summary: string;
  /** Full body as sanitized HTML with absolute URLs. */
  contentHtml: string;
  authors: Author[];
  tags: string[];
  /** Absolute image URL. */
  image?: string;
  /** BCP 47 language tag. */
  language: string;
  /** Where the article was first published, when it is a republication. */
  originalUrl?: string;
}

/** A fully rendered response body with its validators, made once at build time. */
export interface Rendered {
  body: string;
  /** Strong entity tag, quoted, from the SHA-256 of the UTF-8 body. */
  etag: string;
  /** Newest visible item date (epoch ms) the body reflects; drives `Last-Modified`. */
  lastModified: number;
}

/** Feed documents and the index page as they stand from one instant on. */
export interface Edition {
  /** The edition applies from this instant (epoch ms); the first one from -Infinity as `null`. */
  from: number | null;
  rss: Rendered;
  atom: Rendered;
  json: Rendered;
  index: Rendered;
}

/** An article page, visible from the article's publication instant. */
export interface Page extends Rendered {
  visibleFrom: number;
}

/** What the build writes into the Worker: every response body, pre-rendered. */
export interface BuiltSite {
  /** Hash of the content and configuration; part of every edge-cache key. */
  buildId: string;
  config: SiteConfig;
  /** Editions in ascending `from` order; scheduled articles open new ones. */
  editions: Edition[];
  /** Article pages by slug. */
  pages: Record<string, Page>;
  /** The page people see for an unknown address. */
  notFound: Rendered;
  /** `Content-Security-Policy` for HTML pages; allows exactly the inline stylesheet. */
  contentSecurityPolicy: string;
}
