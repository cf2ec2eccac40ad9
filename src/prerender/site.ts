import { createHash } from 'node:crypto';
import type { ParsedArticle } from '../content/article.ts';
import { findDuplicateSlugs } from '../content/article-slug.ts';
import { AUTHOR_NAMES, indexNames, TAG_NAMES } from '../content/names.ts';
import type { Problem } from '../content/problem.ts';
import { renderArticlePage } from '../render/article-page.ts';
import { renderAtomEntry, renderAtomFrame } from '../render/atom.ts';
import {
  assembleFeed,
  FEED_FILES,
  type FeedFrame,
  type FeedInfo,
  lastChangeOf,
  newestChangeOf,
  type PagingLinks,
} from '../render/feed-document.ts';
import { renderJsonFrame, renderJsonItem } from '../render/json-feed.ts';
import { renderListPage } from '../render/list-page.ts';
import { renderNotFoundPage } from '../render/not-found-page.ts';
import { listFeedLinks } from '../render/page-layout.ts';
import { renderRssFrame, renderRssItem } from '../render/rss.ts';
import { STYLESHEET } from '../render/stylesheet.ts';
import { slugify } from '../site/slug.ts';
import type { Article, Author, BodyType, BuiltSite, SiteConfig, Version } from '../site/types.ts';
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
import { planPages } from './paging.ts';
import { assertWellFormed } from './well-formed.ts';

/** Outcome of assembling the site: the site and notes, or the problems that stop it. */
export interface SiteResult {
  site?: BuiltSite;
  problems: Problem[];
  /** Things the author should know that are not errors (merged tag and author spellings). */
  notes: string[];
}

/** What the site is made of once the articles are read: the articles as the renderers take them, and the names across them. */
export interface SitePlan {
  /** Published articles, newest first. */
  articles: Article[];
  tagNames: ReadonlyMap<string, string>;
  authors: ReadonlyMap<string, Author>;
}

/** An article's renderings (page, RSS item, Atom entry, JSON Feed item), which depend on nothing but the article and the configuration. */
export interface ArticleFragments {
  page: string;
  rss: string;
  atom: string;
  json: string;
}

/** Where an article's fragments may come from instead of being rendered (src/prerender/build-cache.ts). */
export interface FragmentSource {
  /** Fragments rendered earlier from exactly this article and configuration, if any. */
  get(article: Article): ArticleFragments | undefined;
  /** Keeps fragments just rendered. */
  set(article: Article, fragments: ArticleFragments): void;
}

/**
 * Turns parsed articles into every response the Worker serves. Drafts are left out.
 * Articles dated after `now` open new versions of the documents that list them, in force
 * from their date on, so they appear on time without a rebuild.
 */
export function buildSite(
  parsed: readonly ParsedArticle[],
  config: SiteConfig,
  now: number,
  fragments?: FragmentSource,
): SiteResult {
  const planned = planSite(parsed, config);
  if (!planned.plan) return planned;
  return {
    site: renderSite(planned.plan, config, now, fragments),
    problems: [],
    notes: planned.notes,
  };
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

/** Renders every document of every edition of a planned site. */
export function renderSite(
  { articles, tagNames, authors }: SitePlan,
  config: SiteConfig,
  now: number,
  fragments?: FragmentSource,
): BuiltSite {
  const builder = new SiteBuilder(config, fragments);
  const schedule = listScheduledInstants(articles, now);
  for (const edition of planEditions(articles, schedule, now))
    builder.addEdition(edition, tagNames, authors);
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

/** Renders every document of every edition into chunks, and keeps each path's versions. */
class SiteBuilder {
  readonly #config: SiteConfig;
  readonly #chunks = new ChunkStore();
  readonly #routes = new Map<string, Version[]>();
  readonly #items = new Map<string, { page: number[]; rss: number; atom: number; json: number }>();
  readonly #jsonSeparator: number;
  readonly #fragments: FragmentSource | undefined;

  constructor(config: SiteConfig, fragments?: FragmentSource) {
    this.#config = config;
    this.#fragments = fragments;
    this.#jsonSeparator = this.#chunks.add(',\n');
  }

  /** Renders the documents as they stand in `edition`, and adds a version to each path whose body or fields changed. */
  addEdition(
    { from, visible }: Edition,
    tagNames: ReadonlyMap<string, string>,
    authors: ReadonlyMap<string, Author>,
  ): void {
    const drafts = new Map<string, Draft>();
    for (const article of visible) {
      const parts = this.#itemParts(article);
      drafts.set(articlePath(article.slug), {
        parts: parts.page,
        lastModified: lastChangeOf(article),
        type: 'html',
        lifetime: 'page',
      });
    }
    for (const scope of listScopes(visible, this.#config, tagNames, authors))
      this.#addScope(scope, drafts);

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
      routes: Object.fromEntries(this.#routes),
      notFound,
      query: {
        items: articles.map((a) => ({
          publishedAt: a.publishedAt,
          changedAt: lastChangeOf(a),
          tags: [...new Set(a.tags.map(slugify))],
          authors: [...new Set(a.authors.map((x) => slugify(x.name)))],
          json: this.#itemParts(a).json,
        })),
        head: chunks.add(queryFrame.head),
        separator: queryFrame.separator,
        tail: chunks.add(queryFrame.tail),
        tags: Object.fromEntries(tagNames),
      },
    };
    // The chunks are hashed as bytes already encoded for the ETags, the rest as JSON.
    const hash = createHash('sha256').update(
      JSON.stringify({ ...site, chunks: chunks.texts.length }),
    );
    for (let i = 0; i < chunks.texts.length; i++) hash.update(chunks.bytesOf(i));
    const buildId = hash.digest('hex').slice(0, 16);
    const built = { buildId, ...site };
    encodedChunks.set(
      built,
      chunks.texts.map((_, i) => chunks.bytesOf(i)),
    );
    return built;
  }

  /** Renders the feeds and list pages of one scope, as planPages lays them out. */
  #addScope(scope: Scope, drafts: Map<string, Draft>): void {
    const { siteUrl, feedItemLimit, websubHub } = this.#config;
    const main = `${siteUrl}${scope.base}/`;
    for (const doc of planPages(scope.articles, feedItemLimit, main)) {
      const updatedAt = newestChangeOf(doc.items);
      const info = this.#info(scope, doc.location, doc.paging, updatedAt);
      info.subscribable = doc.location === main;
      const path = doc.location.slice(siteUrl.length);
      const itemParts = doc.items.map((a) => this.#itemParts(a));
      const link =
        info.subscribable && websubHub
          ? `<${websubHub}>; rel="hub", <${doc.location}${FEED_FILES.rss}>; rel="self"`
          : undefined;
      const formats: [BodyType, string, (i: FeedInfo) => FeedFrame, 'rss' | 'atom' | 'json'][] = [
        ['rss', FEED_FILES.rss, renderRssFrame, 'rss'],
        ['atom', FEED_FILES.atom, renderAtomFrame, 'atom'],
        ['json', FEED_FILES.json, renderJsonFrame, 'json'],
      ];
      for (const [type, file, render, key] of formats) {
        const frame = this.#frame(type, info, render);
        const separator = type === 'json' ? [this.#jsonSeparator] : [];
        const parts = [
          frame.head,
          ...itemParts.flatMap((p, i) => (i === 0 ? [p[key]] : [...separator, p[key]])),
          frame.tail,
        ];
        const selfLink = link?.replace(`${FEED_FILES.rss}>; rel="self"`, `${file}>; rel="self"`);
        drafts.set(path + file, {
          parts,
          lastModified: updatedAt,
          type,
          lifetime: doc.lifetime,
          ...(selfLink ? { link: selfLink } : {}),
        });
      }
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
      drafts.set(path, {
        parts: this.#chunks.addPage(page),
        lastModified: updatedAt,
        type: 'html',
        lifetime: doc.lifetime === 'archive' ? 'archive' : 'page',
      });
    }
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

  /** Renders a frame into chunks, checking that an XML frame is well-formed. */
  #frame(
    type: BodyType,
    info: FeedInfo,
    render: (i: FeedInfo) => FeedFrame,
  ): { head: number; tail: number } {
    const frame = render(info);
    if (type !== 'json') assertWellFormed(assembleFeed(frame, []), type);
    const head = this.#chunks.add(frame.head);
    const tail = this.#chunks.add(frame.tail);
    return { head, tail };
  }

  /** An article's page and feed items, rendered once and stored side by side. */
  #itemParts(article: Article): { page: number[]; rss: number; atom: number; json: number } {
    const known = this.#items.get(article.slug);
    if (known) return known;
    const fragments = this.#fragments?.get(article) ?? this.#renderFragments(article);
    // Side by side in the chunk table, the four renderings of one body sit within gzip's
    // 32 KiB window, so the bundle stores the text about once.
    const chunks = this.#chunks;
    const parts = {
      page: chunks.addPage(fragments.page),
      rss: chunks.add(fragments.rss),
      atom: chunks.add(fragments.atom),
      json: chunks.add(fragments.json),
    };
    this.#items.set(article.slug, parts);
    return parts;
  }

  /** Renders an article's fragments, checking that its XML items are well-formed. */
  #renderFragments(article: Article): ArticleFragments {
    const config = this.#config;
    const tagUrl = (tag: string): string =>
      `${config.siteUrl}/tags/${encodeURIComponent(slugify(tag))}/`;
    const page = renderArticlePage(config, article, listFeedLinks(`${config.siteUrl}/`), tagUrl);
    const rss = renderRssItem(article, config);
    const atom = renderAtomEntry(article, config);
    assertWellFormed(rss, 'rss', true);
    assertWellFormed(atom, 'atom', true);
    const fragments = { page, rss, atom, json: renderJsonItem(article) };
    this.#fragments?.set(article, fragments);
    return fragments;
  }
}

function draftKey(draft: Draft): string {
  return `${draft.type}|${draft.lifetime}|${draft.link ?? ''}|${draft.parts.join(',')}`;
}
