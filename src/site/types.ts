import type { PackedChunks } from './chunks.ts';

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
  /** schema.org type of `defaultAuthor` in the pages' JSON-LD: a newsroom is an Organization. */
  defaultAuthorType: AuthorType;
  /** Permanent RFC 4151 `tag:` prefix for feed and item ids; never changes with the host. */
  siteId: string;
  /** Items per feed document. */
  feedItemLimit: number;
  /** IANA time zone in which date-only values are read. */
  timeZone: string;
  /** Square site icon (JSON Feed `favicon`, Atom `icon`), absolute URL. */
  icon?: string;
  /** Site logo or large icon (JSON Feed `icon`, Atom `logo`, RSS `<image>`), absolute URL. */
  logo?: string;
  /** WebSub hub announced by the feeds and their `Link` header. */
  websubHub?: string;
  /** Largest `limit` a script may ask of `/feed.json`. */
  queryLimitMax: number;
  /** Which answers go through the Workers Cache API. */
  edgeCache: EdgeCacheScope;
  cache: CacheConfig;
}

/**
 * Which answers the Workers Cache API stands in front of: `computed`, only those computed per
 * request (`/feed.json?…` queries), since pre-rendered bodies are already in the isolate's
 * memory; `all`, every route (the cached copy is then preferred to the isolate's); `off`, none
 * (for workers.dev, where the Cache API stores nothing).
 */
export type EdgeCacheScope = 'computed' | 'all' | 'off';

/** Lifetimes in seconds for `Cache-Control` (`max-age` for readers, `s-maxage` for shared caches). */
export interface CacheConfig {
  feedMaxAge: number;
  feedSMaxAge: number;
  pageMaxAge: number;
  pageSMaxAge: number;
  /** Lifetime of archive pages that can no longer change (RFC 5005 paging). */
  archiveMaxAge: number;
  staleWhileRevalidate: number;
}

/** schema.org types an author can have in JSON-LD. */
export type AuthorType = 'Person' | 'Organization';

/** A person (or, for SITE_AUTHOR, possibly an organization) credited on an article. */
export interface Author {
  name: string;
  /** The author's own link, from the front matter. */
  url?: string;
  email?: string;
  /** Absolute URL of the author's page on this site; set by the build. */
  page?: string;
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

/** Media type family of a response body. */
export type BodyType = 'rss' | 'atom' | 'json' | 'html';

/** Which `Cache-Control` lifetimes a response gets. */
export type Lifetime = 'feed' | 'page' | 'archive';

/**
 * One version of the response at a path, in force from an instant on. The body is the
 * concatenation of `parts` (indices into `BuiltSite.chunks`), so an article's rendered item
 * is stored once however many feeds and pages list it.
 */
export interface Version {
  /** In force from this instant (epoch ms); `null` from the start. */
  from: number | null;
  parts: number[];
  /** Strong entity tag, quoted, from the SHA-256 of the UTF-8 body. */
  etag: string;
  /** Newest visible item date (epoch ms) the body reflects; 0 when none. Drives `Last-Modified`. */
  lastModified: number;
  type: BodyType;
  lifetime: Lifetime;
  /** A `Link` header value (WebSub hub and self), for subscribable feeds. */
  link?: string;
  /**
   * The body pre-compressed at build time (indices into `BuiltSite.coded`); absent when the
   * build compressed nothing, and then the runtime compresses it per request.
   */
  codings?: { br?: number; gzip?: number };
}

/** An article as the JSON query interface (`/feed.json?since=…`) filters it. */
export interface QueryItem {
  publishedAt: number;
  /** Last change: the update date, else the publication date. */
  changedAt: number;
  /** Tag slugs. */
  tags: string[];
  /** Author slugs. */
  authors: string[];
  /**
   * Where the article's pre-rendered JSON Feed item is: a chunk of the bundle, or (for an
   * article listed only in settled archives) a byte range of a `feed.json` in the static assets.
   */
  json: number | ArchivedItem;
}

/** A JSON Feed item inside an archive file: `[index into query.files, start byte, end byte]`. */
export type ArchivedItem = [file: number, start: number, end: number];

/** An archive file the query reads items from (URL path, e.g. `/archive/3/feed.json`), with its length to check it is this build's. */
export type ArchiveFile = AssetFile;

/** What the build writes into the Worker: every response body, pre-rendered. */
export interface BuiltSite {
  /** Hash of the content and configuration; part of every edge-cache key. */
  buildId: string;
  config: SiteConfig;
  /** `Content-Security-Policy` for HTML pages; allows exactly the inline stylesheet. */
  contentSecurityPolicy: string;
  /** Instants (epoch ms, ascending) at which scheduled articles appear. */
  schedule: number[];
  /** Text pieces that bodies are made of, each stored once. */
  chunks: string[];
  /** Bodies pre-compressed in br and gzip (`Version.codings`), sent as they are. */
  coded: Uint8Array[];
  /** Versions of every response, by URL path (percent-encoded as `URL.pathname` has it). */
  routes: Record<string, Version[]>;
  /** Chunk of the page people see for an unknown address. */
  notFound: number;
  /** The settled documents the build wrote to the static assets: how many files and bytes. */
  assets: { files: number; bytes: number };
  /** Articles for filtered JSON feeds, newest first, scheduled ones included. */
  query: {
    items: QueryItem[];
    head: number;
    separator: string;
    tail: number;
    tags: Record<string, string>;
    /** Archive files that hold items of `items` (their `json` points into them). */
    files: ArchiveFile[];
  };
}

/**
 * A body the Worker holds, as the generated module names it: the file of each coding under
 * `/_worker/` in the static assets (src/site/bodies.ts), and each one's length, so a HEAD or a
 * 304 needs no file. Every body is stored in br and gzip, unless the build compressed nothing.
 */
export interface StoredBody {
  /** The body's name: its ETag's opaque part, so a body that does not change keeps its files. */
  name: string;
  /** Lengths in bytes, identity and each stored coding. */
  identity: number;
  br?: number;
  gzip?: number;
  /**
   * Chunks of the Data module that hold the body, by coding, when the bundle carries it too
   * (the site's own feeds and front page, src/prerender/site-module.ts): sent without a read.
   */
  resident?: { identity?: number; br?: number; gzip?: number };
}

/** A version as the Worker receives it: its body in the static assets, not in the bundle. */
export type ServedVersion = Omit<Version, 'parts' | 'codings'> & { body: StoredBody };

/** A version of either form: its body in the chunks (straight from the build) or in the static assets (the generated module). */
export type AnyVersion = Version | ServedVersion;

/** A file of the static assets the Worker reads: its URL path and length. */
export interface AssetFile {
  path: string;
  bytes: number;
}

/**
 * The site as the generated module hands it to the Worker. Only routing data is in the bundle,
 * so its size does not grow with the archive: the bodies, and the query index (JSON, parsed at
 * the first query), are files of the static assets under `/_worker/`, which the Worker reads
 * through its `ASSETS` binding. The texts it sends itself (the 404 page, the query's frame, and
 * the site's own feeds and front page: `StoredBody.resident`) are chunks in a Data module of
 * bounded size.
 */
export type ServedSite = Omit<BuiltSite, 'chunks' | 'coded' | 'query' | 'routes'> & {
  chunks: PackedChunks;
  routes: Record<string, ServedVersion[]>;
  /** Every item's `json` is in an asset file: the settled archives' and the Worker's own `feed.json` bodies. */
  query: Omit<BuiltSite['query'], 'items'> & { items: AssetFile };
};
