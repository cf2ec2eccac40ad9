import { createHash } from 'node:crypto';
import type { ParsedArticle } from '../content/article.ts';
import { findDuplicateSlugs } from '../content/article-slug.ts';
import { AUTHOR_NAMES, indexNames, TAG_NAMES } from '../content/names.ts';
import type { Problem } from '../content/problem.ts';
import { renderAtomFrame } from '../render/atom.ts';
import {
  assembleFeed,
  FEED_FILES,
  type FeedFrame,
  type FeedInfo,
  lastChangeOf,
  newestChangeOf,
  type PagingLinks,
} from '../render/feed-document.ts';
import { renderJsonFrame } from '../render/json-feed.ts';
import { renderListPage } from '../render/list-page.ts';
import { renderNotFoundPage } from '../render/not-found-page.ts';
import { listFeedLinks } from '../render/page-layout.ts';
import { renderRssFrame } from '../render/rss.ts';
import { STYLESHEET } from '../render/stylesheet.ts';
import { slugify } from '../site/slug.ts';
import type {
  ArchivedItem,
  ArchiveFile,
  Article,
  Author,
  BodyType,
  BuiltSite,
  SiteConfig,
  Version,
} from '../site/types.ts';
import { articlePath, profileAuthors, toArticle } from './articles.ts';
import { computeBodyEtag } from './body-etag.ts';
import { ChunkStore } from './chunk-store.ts';
import { composeContentSecurityPolicy } from './content-security-policy.ts';
import {
  type Edition,
  listScheduledInstants,
  listScopes,
  planEditions,
  type Scope,
} from './editions.ts';
import {
  type ArticleFragments,
  type FeedFragments,
  renderArticleFragments,
  renderPageFragment,
} from './fragments.ts';
import { planPages } from './paging.ts';
import { transcodeUtf8 } from './utf8.ts';
import { assertWellFormed } from './well-formed.ts';

/** What the site is made of once the articles are read: the articles as the renderers take them, and the names across them. */
export interface SitePlan {
  /** Published articles, newest first. */
  articles: Article[];
  tagNames: ReadonlyMap<string, string>;
  authors: ReadonlyMap<string, Author>;
}

export type { ArticleFragments, FeedFragments };

/** An article's fragments as the builder holds them: from the source without a page until one is asked for. */
type HeldFragments = FeedFragments & { page?: Uint8Array };

/** Where an article's fragments may come from instead of being rendered (src/prerender/build-cache.ts). */
export interface FragmentSource {
  /** What names an article's fragments: the same exactly when the article, configuration and code are. */
  keyOf(article: Article): string;
  /** The key of a settled document: its path, `descriptor` (everything but its items) and its items' keys. */
  documentKey(path: string, descriptor: string, items: readonly Article[]): string;
  /** Fragments rendered earlier from exactly this article and configuration, if any; the page is not kept. */
  get(article: Article): FeedFragments | undefined;
  /** Whether `get` will probably find them (without reading them). */
  has(article: Article): boolean;
  /** Keeps fragments just rendered. */
  set(article: Article, fragments: ArticleFragments): void;
}

/** Byte ranges of the JSON items in a settled `feed.json`, by article slug. */
export type ItemRanges = [slug: string, start: number, end: number][];

/** What is known of a settled file the last build wrote: its length, and for a `feed.json` of the site, its items. */
export interface SettledFile {
  bytes: number;
  items?: ItemRanges;
}

/**
 * Where settled documents go: bodies that can no longer change without an edit (article pages
 * published at build time, archive pages with a newer page above them), served from Workers
 * Static Assets rather than the Worker (src/prerender/asset-output.ts).
 */
export interface AssetSink {
  /** Takes a settled document: its URL path (as `URL.pathname` has it), its body as UTF-8 parts, and the key it was made from. */
  put(path: string, parts: readonly Uint8Array[], made?: { key: string; items?: ItemRanges }): void;
  /** Keeps the last build's file at `path` when it was made from `key`, and says what it was; undefined when it must be rendered. */
  reuse(path: string, key: string): SettledFile | undefined;
  /** Resolves when the sink can take more (writes in flight); undefined when it always can. */
  pressure?(): Promise<void> | undefined;
}

/**
 * Where the Worker's bodies go as soon as they are final, while the render goes on: the
 * compressor (src/prerender/compress.ts), so that the second core compresses while the main
 * thread renders the archive.
 */
export interface BodySink {
  /** Takes a body a version of the site will have (its parts' UTF-8 bytes), once per distinct body. */
  take(body: Uint8Array): void;
  /** Resolves after a turn of the event loop when the sink's work needs one to go on; undefined when it does not. */
  turn?(): Promise<void> | undefined;
}

/** Checks the names and slugs across articles and makes the articles the renderers take (drafts left out). */
export function planSite(
  parsed: readonly ParsedArticle[],
  config: SiteConfig,
): { plan?: SitePlan; problems: Problem[]; notes: string[] } {
  const published = parsed.filter((p) => !p.draft);
  const tagIndex = indexNames(published, TAG_NAMES);
  const authorIndex = indexNames(published, AUTHOR_NAMES);
  const problems = [...findDuplicateSlugs(parsed), ...tagIndex.problems, ...authorIndex.problems];
  const notes = [...tagIndex.notes, ...authorIndex.notes];
  if (problems.length > 0) return { problems, notes };

  const authors = profileAuthors(published, authorIndex.names, config);
  const articles = published
    .map((p) => toArticle(p, config, tagIndex.names, authors))
    .sort((a, b) => b.publishedAt - a.publishedAt || (a.slug < b.slug ? -1 : 1));
  return { plan: { articles, tagNames: tagIndex.names, authors }, problems: [], notes };
}

/**
 * Renders every document of every edition of a planned site: the settled ones into `assets`,
 * the rest (with every version they take at scheduled instants) into the site. An article's
 * fragments come from `fragments` (the build cache), else from `prerendered` (rendered ahead on
 * worker threads), else are rendered here. Each Worker body goes to `bodies` when it is final.
 */
export async function renderSite(
  { articles, tagNames, authors }: SitePlan,
  config: SiteConfig,
  now: number,
  assets: AssetSink,
  fragments?: FragmentSource,
  prerendered?: Map<string, ArticleFragments>,
  bodies?: BodySink,
): Promise<BuiltSite> {
  const builder = new SiteBuilder(config, assets, fragments, prerendered, bodies);
  const schedule = listScheduledInstants(articles, now);
  for (const edition of planEditions(articles, schedule, now))
    await builder.addEdition(edition, tagNames, authors);
  return builder.finish(schedule, articles, tagNames);
}

/** The UTF-8 bytes of each built site's chunks, as the builder encoded them for hashing. */
const encodedChunks = new WeakMap<BuiltSite, readonly Uint8Array[]>();

/** A site's chunks as UTF-8 bytes: encoded once during the build, or now for a site from elsewhere. */
export function chunkBytesOf(site: BuiltSite): readonly (string | Uint8Array)[] {
  return encodedChunks.get(site) ?? site.chunks;
}

/** A version before its ETag is computed. */
type Draft = Omit<Version, 'from' | 'etag'>;

/** The three feed formats: body type, file name, frame renderer, and fragment. */
const FEED_FORMATS: [BodyType, string, (i: FeedInfo) => FeedFrame, 'rss' | 'atom' | 'json'][] = [
  ['rss', FEED_FILES.rss, renderRssFrame, 'rss'],
  ['atom', FEED_FILES.atom, renderAtomFrame, 'atom'],
  ['json', FEED_FILES.json, renderJsonFrame, 'json'],
];

const JSON_SEPARATOR = ',\n';

/**
 * Renders every document of every edition. Settled documents of the first edition (the site
 * as it stands at the build) go to the asset sink as bytes and are never rendered again; every
 * other document becomes chunks and versions in the Worker's site. Only what a Worker document
 * holds is added to the chunks, so the bundle does not grow with the archive.
 */
class SiteBuilder {
  readonly #config: SiteConfig;
  readonly #chunks = new ChunkStore();
  readonly #routes = new Map<string, Version[]>();
  readonly #fragments = new Map<string, HeldFragments>();
  readonly #itemChunks = new Map<
    string,
    { page?: number[]; rss?: number; atom?: number; json?: number }
  >();
  readonly #jsonSeparator: number;
  readonly #source: FragmentSource | undefined;
  readonly #assets: AssetSink;
  /** Paths of the settled documents given to the asset sink. */
  readonly #settled = new Set<string>();
  readonly #assetTotals = { files: 0, bytes: 0 };
  /** Where the items of settled site-wide archive pages are, for the query index. */
  readonly #archived = new Map<string, ArchivedItem>();
  readonly #archiveFiles: ArchiveFile[] = [];

  /** Fragments rendered ahead (on worker threads), taken once each. */
  readonly #prerendered: Map<string, ArticleFragments> | undefined;
  readonly #bodies: BodySink | undefined;
  /** The parts of every body given to `#bodies`. */
  readonly #given = new Set<string>();

  constructor(
    config: SiteConfig,
    assets: AssetSink,
    source?: FragmentSource,
    prerendered?: Map<string, ArticleFragments>,
    bodies?: BodySink,
  ) {
    this.#config = config;
    this.#assets = assets;
    this.#source = source;
    this.#prerendered = prerendered;
    this.#bodies = bodies;
    this.#jsonSeparator = this.#chunks.add(JSON_SEPARATOR);
  }

  /** Renders the documents as they stand in `edition`, and adds a version to each path whose body or fields changed. */
  async addEdition(
    { from, visible }: Edition,
    tagNames: ReadonlyMap<string, string>,
    authors: ReadonlyMap<string, Author>,
  ): Promise<void> {
    const drafts = new Map<string, Draft>();
    for (const article of visible) {
      const path = articlePath(article.slug);
      if (this.#settled.has(path)) continue;
      // Published at the build, a page can change only with an edit: it is settled.
      if (from === null) {
        const key = this.#source?.documentKey(path, 'article page', [article]);
        if (!this.#reuse(path, key)) this.#settle(path, [this.#pageOf(article)], key);
        await this.#assets.pressure?.();
        continue;
      }
      this.#draft(drafts, path, {
        parts: this.#chunksOf(article, 'page'),
        lastModified: lastChangeOf(article),
        type: 'html',
        lifetime: 'page',
      });
    }
    for (const scope of listScopes(visible, this.#config, tagNames, authors))
      await this.#addScope(scope, drafts, from === null);

    for (const [path, draft] of drafts) {
      const versions = this.#routes.get(path) ?? [];
      const last = versions.at(-1);
      if (last && draftKey(last) === draftKey(draft)) continue;
      versions.push({
        from,
        ...draft,
        etag: computeBodyEtag(draft.parts.map((part) => this.#chunks.bytesOf(part))),
      });
      this.#routes.set(path, versions);
    }
  }

  /** The site: routes, the 404 page, the query index and the CSP, under a build id that hashes all of it. */
  finish(
    schedule: number[],
    articles: readonly Article[],
    tagNames: ReadonlyMap<string, string>,
  ): BuiltSite {
    const config = this.#config;
    const chunks = this.#chunks;
    const notFound = chunks.add(renderNotFoundPage(config, listFeedLinks(`${config.siteUrl}/`)));
    const queryFrame = renderJsonFrame(
      this.#info(
        { base: '', title: config.title, description: config.description, articles: [] },
        `${config.siteUrl}/`,
        {},
        0,
      ),
    );
    const site: Omit<BuiltSite, 'buildId'> = {
      config,
      contentSecurityPolicy: composeContentSecurityPolicy(STYLESHEET),
      schedule,
      chunks: chunks.texts,
      coded: [],
      routes: Object.fromEntries(this.#routes),
      notFound,
      assets: { ...this.#assetTotals },
      query: {
        items: articles.map((a) => ({
          publishedAt: a.publishedAt,
          changedAt: lastChangeOf(a),
          tags: [...new Set(a.tags.map(slugify))],
          authors: [...new Set(a.authors.map((x) => slugify(x.name)))],
          json: this.#queryItemOf(a),
        })),
        head: chunks.add(queryFrame.head),
        separator: queryFrame.separator,
        tail: chunks.add(queryFrame.tail),
        tags: Object.fromEntries(tagNames),
        files: this.#archiveFiles,
      },
    };
    // The chunks are hashed as bytes already encoded for the ETags, the rest as JSON; the
    // items the query reads from archive files by their bytes, since an edit that keeps an
    // item's length keeps its byte range.
    const hash = createHash('sha256').update(
      JSON.stringify({ ...site, chunks: chunks.texts.length }),
    );
    for (let i = 0; i < chunks.texts.length; i++) hash.update(chunks.bytesOf(i));
    for (const article of articles) {
      if (!this.#archived.has(article.slug)) continue;
      const key = this.#source?.keyOf(article);
      hash.update(key ?? this.#fragmentsOf(article).json);
    }
    const buildId = hash.digest('hex').slice(0, 16);
    const built = { buildId, ...site };
    encodedChunks.set(
      built,
      chunks.texts.map((_, i) => chunks.bytesOf(i)),
    );
    return built;
  }

  /** Renders the feeds and list pages of one scope, as planPages lays them out; settled ones (of the first edition) go to the assets. */
  async #addScope(scope: Scope, drafts: Map<string, Draft>, first: boolean): Promise<void> {
    const { siteUrl, feedItemLimit, websubHub } = this.#config;
    const main = `${siteUrl}${scope.base}/`;
    for (const doc of planPages(scope.articles, feedItemLimit, main)) {
      const path = doc.location.slice(siteUrl.length);
      // Settled in the first edition: later ones only add articles above it.
      if (this.#settled.has(path)) continue;
      const settled = first && doc.lifetime === 'archive';
      const updatedAt = newestChangeOf(doc.items);
      const info = this.#info(scope, doc.location, doc.paging, updatedAt);
      info.subscribable = doc.location === main;
      const link =
        info.subscribable && websubHub
          ? `<${websubHub}>; rel="hub", <${doc.location}${FEED_FILES.rss}>; rel="self"`
          : undefined;
      // Everything a settled document is made of but its items, for its key.
      const descriptor = settled
        ? JSON.stringify({ ...doc, items: doc.items.length, scope: { ...scope, articles: 0 } })
        : '';
      for (const [type, file, render, key] of FEED_FORMATS) {
        const documentKey = settled
          ? this.#source?.documentKey(path + file, descriptor, doc.items)
          : undefined;
        const kept = settled ? this.#reuse(path + file, documentKey) : undefined;
        if (kept) {
          if (key === 'json' && scope.base === '') this.#addArchiveFile(path + file, kept);
          continue;
        }
        const frame = render(info);
        if (type !== 'json') assertWellFormed(assembleFeed(frame, []), type);
        if (settled) {
          this.#settleFeed(path + file, frame, doc.items, key, scope.base === '', documentKey);
          continue;
        }
        const head = this.#chunks.add(frame.head);
        const tail = this.#chunks.add(frame.tail);
        const separator = type === 'json' ? [this.#jsonSeparator] : [];
        const parts = [
          head,
          ...doc.items.flatMap((a, i) => {
            const item = this.#chunksOf(a, key);
            return i === 0 ? item : [...separator, ...item];
          }),
          tail,
        ];
        const selfLink = link?.replace(`${FEED_FILES.rss}>; rel="self"`, `${file}>; rel="self"`);
        this.#draft(drafts, path + file, {
          parts,
          lastModified: updatedAt,
          type,
          lifetime: doc.lifetime,
          ...(selfLink ? { link: selfLink } : {}),
        });
      }
      if (settled) await this.#assets.pressure?.();
      await this.#bodies?.turn?.();
      const pageKey = settled ? this.#source?.documentKey(path, descriptor, doc.items) : undefined;
      if (settled && this.#reuse(path, pageKey)) continue;
      const page = renderListPage({
        config: this.#config,
        heading: doc.page === undefined ? scope.title : `${scope.title} · page ${doc.page}`,
        ...(scope.description ? { description: scope.description } : {}),
        articles: doc.items,
        feeds: listFeedLinks(main),
        ...(scope.author ? { author: scope.author } : {}),
        canonical: doc.location,
        ...(doc.newer ? { newer: doc.newer } : {}),
        ...(doc.older ? { older: doc.older } : {}),
      });
      if (settled) {
        this.#settle(path, [transcodeUtf8(page)], pageKey);
        continue;
      }
      this.#draft(drafts, path, {
        parts: this.#chunks.addPage(page),
        lastModified: updatedAt,
        type: 'html',
        lifetime: doc.lifetime === 'archive' ? 'archive' : 'page',
      });
    }
  }

  /**
   * Sets the draft of a path in this edition. Its body is final: it becomes a version, or is
   * the body of the path's last one already (`addEdition`), so a body not given before goes to
   * the body sink now rather than after the render.
   */
  #draft(drafts: Map<string, Draft>, path: string, draft: Draft): void {
    drafts.set(path, draft);
    if (this.#bodies === undefined) return;
    const key = draft.parts.join(',');
    if (this.#given.has(key)) return;
    this.#given.add(key);
    this.#bodies.take(Buffer.concat(draft.parts.map((part) => this.#chunks.bytesOf(part))));
  }

  /**
   * Gives a settled feed document to the assets. For the site's own archive, each JSON item's
   * byte range is kept: the query reads those items from there.
   */
  #settleFeed(
    path: string,
    frame: FeedFrame,
    items: readonly Article[],
    key: 'rss' | 'atom' | 'json',
    siteWide: boolean,
    documentKey: string | undefined,
  ): void {
    const parts: Uint8Array[] = [Buffer.from(frame.head)];
    const separator = key === 'json' ? Buffer.from(frame.separator) : undefined;
    let at = parts[0]?.byteLength ?? 0;
    const ranges: ItemRanges = [];
    items.forEach((article, i) => {
      if (i > 0 && separator) {
        parts.push(separator);
        at += separator.byteLength;
      }
      const item = this.#fragmentsOf(article)[key];
      parts.push(item);
      ranges.push([article.slug, at, at + item.byteLength]);
      at += item.byteLength;
    });
    parts.push(Buffer.from(frame.tail));
    const archived = key === 'json' && siteWide ? ranges : undefined;
    const bytes = this.#settle(path, parts, documentKey, archived);
    if (archived) this.#addArchiveFile(path, { bytes, items: archived });
  }

  /** Records a settled `feed.json` of the site, whose items the query reads from it. */
  #addArchiveFile(path: string, { bytes, items = [] }: SettledFile): void {
    const file = this.#archiveFiles.push({ path, bytes }) - 1;
    for (const [slug, start, end] of items) this.#archived.set(slug, [file, start, end]);
  }

  /** Gives a settled document to the asset sink; returns its length. */
  #settle(
    path: string,
    parts: readonly Uint8Array[],
    key: string | undefined,
    items?: ItemRanges,
  ): number {
    this.#assets.put(
      path,
      parts,
      key === undefined ? undefined : { key, ...(items ? { items } : {}) },
    );
    let bytes = 0;
    for (const part of parts) bytes += part.byteLength;
    this.#count(path, bytes);
    return bytes;
  }

  /** Keeps the last build's file of a settled document made from the same key; undefined when it must be rendered. */
  #reuse(path: string, key: string | undefined): SettledFile | undefined {
    const kept = key === undefined ? undefined : this.#assets.reuse(path, key);
    if (kept) this.#count(path, kept.bytes);
    return kept;
  }

  #count(path: string, bytes: number): void {
    this.#settled.add(path);
    this.#assetTotals.files++;
    this.#assetTotals.bytes += bytes;
  }

  /** Where the query finds an article's JSON item: a chunk if a Worker document holds it, else its settled archive file. */
  #queryItemOf(article: Article): number | ArchivedItem {
    const chunk = this.#itemChunks.get(article.slug)?.json;
    if (chunk !== undefined) return chunk;
    const archived = this.#archived.get(article.slug);
    if (archived) return archived;
    // Every published article is in the site's feed or one of its archive pages.
    throw new Error(`internal error: the JSON item of ${article.slug} is in no document`);
  }

  #info(scope: Scope, location: string, paging: PagingLinks, updatedAt: number): FeedInfo {
    const { siteUrl } = this.#config;
    return {
      config: this.#config,
      title: scope.title,
      description: scope.description,
      homeUrl: location,
      self: location,
      subscription: `${siteUrl}${scope.base}/`,
      paging,
      updatedAt,
      subscribable: false,
      ...(scope.author ? { author: scope.author } : {}),
    };
  }

  /** The chunks of one of an article's renderings, added the first time a Worker document holds it. */
  #chunksOf(article: Article, kind: 'page' | 'rss' | 'atom' | 'json'): number[] {
    let known = this.#itemChunks.get(article.slug);
    if (known === undefined) {
      known = {};
      this.#itemChunks.set(article.slug, known);
    }
    if (kind === 'page') {
      known.page ??= this.#chunks.addPage(Buffer.from(this.#pageOf(article)).toString());
      return known.page;
    }
    // An article's renderings sit side by side in the chunk table, within gzip's 32 KiB
    // window, so the bundle stores the text about once.
    known[kind] ??= this.#chunks.add(Buffer.from(this.#fragmentsOf(article)[kind]).toString());
    return [known[kind]];
  }

  /** An article's fragments, from the source or rendered, once per build. */
  #fragmentsOf(article: Article): HeldFragments {
    const known = this.#fragments.get(article.slug);
    if (known) return known;
    const fragments = this.#source?.get(article) ?? this.#renderFragments(article);
    this.#fragments.set(article.slug, fragments);
    return fragments;
  }

  /** An article's page: rendered with its fragments, or now when they came from the source (which keeps no page). */
  #pageOf(article: Article): Uint8Array {
    const fragments = this.#fragmentsOf(article);
    fragments.page ??= renderPageFragment(article, this.#config);
    return fragments.page;
  }

  /** An article's fragments, rendered ahead on worker threads or now, and handed to the source to keep. */
  #renderFragments(article: Article): ArticleFragments {
    const fragments =
      this.#prerendered?.get(article.slug) ?? renderArticleFragments(article, this.#config);
    this.#prerendered?.delete(article.slug);
    this.#source?.set(article, fragments);
    return fragments;
  }
}

function draftKey(draft: Draft): string {
  return `${draft.type}|${draft.lifetime}|${draft.parts.join(',')}|${draft.link ?? ''}`;
}
