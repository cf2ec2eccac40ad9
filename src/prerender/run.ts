import { join, resolve } from 'node:path';
import type { ParsedArticle } from '../content/article.ts';
import { ConfigError, parseSiteConfig, type RawVars, readConfigVars } from '../content/config.ts';
import { type BuildLimits, parseBuildLimits } from '../content/limits.ts';
import { listArticleFiles } from '../content/list-articles.ts';
import { formatProblem, type Problem } from '../content/problem.ts';
import { type ReadResult, readArticles } from '../content/read-articles.ts';
import type { Article, BuiltSite, SiteConfig } from '../site/types.ts';
import { renderHeadersFile, renderRedirectsFile } from './asset-layout.ts';
import {
  type AssetReader,
  CountingAssets,
  checkAssetLimits,
  DirectoryAssets,
  MemoryAssets,
  readAssetsFrom,
  recoverAssets,
} from './asset-output.ts';
import { BuildCache, type CacheKind, computeCodeVersion, defaultCacheDir } from './build-cache.ts';
import { checkBundleSize } from './bundle-size.ts';
import { type ArticleFragments, type FragmentSource, planSite, renderSite } from './site.ts';
import { renderSiteModule, writeSiteModule } from './site-module.ts';

/** Where the build reads and writes, relative to `root`. */
export interface BuildOptions {
  root: string;
  articlesDir?: string;
  configFile?: string;
  /**
   * Generated module path; omitted, the build only validates. The settled documents go into the
   * folder beside it named after it, `site.js` → `site.assets/` (wrangler.toml `[assets]`).
   */
  outFile?: string;
  /** Without `outFile`, keeps the settled documents in memory (tests) instead of only counting them. */
  keepAssets?: boolean;
  /** The instant that separates published from scheduled articles; defaults to the clock. */
  now?: number;
  /** Replaces `[vars]` from the config file (tests). */
  vars?: RawVars;
  /** Keeps per-article work between builds (the default); false parses and renders every article (`--no-cache`). */
  cache?: boolean;
  /** Where the cache lives; defaults to FEED_PUBLISHER_CACHE_DIR, else `node_modules/.cache/feed-publisher/` under `root`. */
  cacheDir?: string;
  /** Replaces the version of the build's code in every cache key (tests); defaults to a hash of the code itself. */
  codeVersion?: string;
}

/** Entries the cache had and entries computed, by kind; absent when the cache was off. */
export type CacheStats = Record<CacheKind, { hits: number; misses: number }>;

/** Outcome of a build: the site, or every problem found. */
export type BuildResult =
  | {
      ok: true;
      site: BuiltSite;
      /** The settled documents, read from memory (`keepAssets`) or from the folder written. */
      assets?: AssetReader;
      articleCount: number;
      notes: string[];
      cache?: CacheStats;
    }
  | { ok: false; messages: string[]; cache?: CacheStats };

/** Cache lookups in flight at once while the fragments are loaded (each holds a file open). */
const LOAD_CONCURRENCY = 32;

/**
 * Reads the configuration and articles, validates them, renders every response, and
 * (given `outFile`) writes the generated module atomically: on any problem the previous
 * module stays exactly as it was.
 */
export async function runBuild(options: BuildOptions): Promise<BuildResult> {
  const root = options.root;
  const articlesDir = join(root, options.articlesDir ?? 'articles');
  let config: SiteConfig;
  let limits: BuildLimits;
  try {
    const vars =
      options.vars ?? (await readConfigVars(join(root, options.configFile ?? 'wrangler.toml')));
    config = parseSiteConfig(vars);
    limits = parseBuildLimits(vars);
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, messages: [error.message] };
    throw error;
  }

  const useCache = options.cache ?? true;
  const cacheDir =
    options.cacheDir ?? (process.env.FEED_PUBLISHER_CACHE_DIR || defaultCacheDir(root));
  const cache = useCache ? new BuildCache(resolve(root, cacheDir)) : undefined;
  // Everything that shapes the output besides an article's own bytes and path.
  const context = useCache
    ? [options.codeVersion ?? (await computeCodeVersion()), JSON.stringify(config)]
    : [];
  /** Ends the build: waits for the cache's writes and prunes what this build did not use. */
  const finish = async <T extends BuildResult>(result: T, prune: CacheKind[]): Promise<T> => {
    if (!cache) return result;
    const note = await cache.flush(prune);
    if (note && result.ok) result.notes.push(note);
    return { ...result, cache: cache.stats };
  };

  const listing = await listArticleFiles(root, articlesDir);
  const problems: Problem[] = [...listing.problems];
  const parsed: ParsedArticle[] = [];
  const parseCache = cache && {
    load: (file: string, bytes: Uint8Array) =>
      cache.read<ReadResult>('parse', BuildCache.keyOf('parse', ...context, file, bytes)),
    store: (file: string, bytes: Uint8Array, result: ReadResult) =>
      cache.write('parse', BuildCache.keyOf('parse', ...context, file, bytes), result),
  };
  for (const result of await readArticles(listing.files, config, limits, parseCache)) {
    problems.push(...result.problems);
    if (result.article) parsed.push(result.article);
  }
  cache?.release('parse');
  // Stable: each file's problems stay in line order.
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (problems.length > 0)
    return finish({ ok: false, messages: problems.map(formatProblem) }, ['parse']);

  const planned = planSite(parsed, config);
  if (!planned.plan)
    return finish({ ok: false, messages: planned.problems.map(formatProblem) }, ['parse']);
  const outFile = options.outFile && resolve(root, options.outFile);
  const assets = outFile
    ? new DirectoryAssets(assetsDirOf(outFile))
    : options.keepAssets
      ? new MemoryAssets()
      : new CountingAssets();
  if (assets instanceof DirectoryAssets) {
    await recoverAssets(assets.target);
    await assets.open();
  }
  try {
    const fragments = cache && (await loadFragments(cache, context, planned.plan.articles));
    const site = renderSite(planned.plan, config, options.now ?? Date.now(), assets, fragments);
    if (cache && fragments) await storeFragments(cache, fragments.rendered);
    const generated = renderSiteModule(site);
    const articleCount = parsed.filter((p) => !p.draft).length;
    const assetLimits = checkAssetLimits(assets.tally);
    const tooBig = [
      ...(await checkBundleSize(generated, limits, articleCount)),
      ...assetLimits.problems,
    ];
    if (tooBig.length > 0) return finish({ ok: false, messages: tooBig }, ['parse', 'render']);
    let reader: AssetReader | undefined;
    if (assets instanceof DirectoryAssets && outFile) {
      assets.writeControlFile('_headers', renderHeadersFile(config, site.contentSecurityPolicy));
      assets.writeControlFile('_redirects', renderRedirectsFile(config));
      // The assets first: the module about to replace the old one reads items from them.
      await assets.commit();
      await writeSiteModule(generated, outFile);
      reader = readAssetsFrom(assets.target);
    } else if (assets instanceof MemoryAssets) reader = assets;
    const notes = [...listing.notes, ...planned.notes, assetLimits.note];
    return finish({ ok: true, site, ...(reader ? { assets: reader } : {}), articleCount, notes }, [
      'parse',
      'render',
    ]);
  } finally {
    if (assets instanceof DirectoryAssets) await assets.discard();
  }
}

/** The folder of settled documents that goes with a generated module: `site.js` → `site.assets`. */
export function assetsDirOf(outFile: string): string {
  return `${outFile.replace(/\.js$/, '')}.assets`;
}

/** Cached fragments, and those rendered in this build, which `storeFragments` writes once the (synchronous) render is done. */
type LoadedFragments = FragmentSource & { rendered: [key: string, fragments: ArticleFragments][] };

/**
 * The cached fragments of every article, loaded before the (synchronous) render, keyed by
 * exactly what the renderers receive: the article as they take it, the configuration and
 * the code.
 */
async function loadFragments(
  cache: BuildCache,
  context: readonly string[],
  articles: readonly Article[],
): Promise<LoadedFragments> {
  const keys = new Map<Article, string>();
  const found = new Map<Article, ArticleFragments>();
  let next = 0;
  const load = async (): Promise<void> => {
    for (let i = next++; i < articles.length; i = next++) {
      const article = articles[i] as Article;
      const key = BuildCache.keyOf('render', ...context, JSON.stringify(article));
      keys.set(article, key);
      const fragments = decodeFragments(await cache.read<Uint8Array>('render', key));
      if (fragments) found.set(article, fragments);
    }
  };
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, load));
  cache.release('render');
  const rendered: [string, ArticleFragments][] = [];
  return {
    rendered,
    get: (article) => {
      // Each article is asked for once; letting go of it keeps one copy of its text in memory, the chunks'.
      const fragments = found.get(article);
      found.delete(article);
      return fragments;
    },
    set: (article, fragments) => {
      rendered.push([
        keys.get(article) ?? BuildCache.keyOf('render', ...context, JSON.stringify(article)),
        fragments,
      ]);
    },
  };
}

/** Entries encoded at a time while the rendered fragments are stored. */
const STORE_BATCH = 64;

/**
 * Stores the fragments rendered in this build, a batch at a time: the render itself is
 * synchronous, so entries encoded during it would all wait in memory for the disk.
 */
async function storeFragments(
  cache: BuildCache,
  rendered: [key: string, fragments: ArticleFragments][],
): Promise<void> {
  for (let i = 0; i < rendered.length; i++) {
    const [key, fragments] = rendered[i] as [string, ArticleFragments];
    cache.write('render', key, encodeFragments(fragments));
    if (i % STORE_BATCH === STORE_BATCH - 1) await cache.drain('render');
  }
  rendered.length = 0;
}

/** The four fragments in the order they are stored. */
const FRAGMENT_NAMES = ['page', 'rss', 'atom', 'json'] as const;

/** Fragments back to back behind their four byte lengths. */
function encodeFragments(fragments: ArticleFragments): Uint8Array {
  const parts = FRAGMENT_NAMES.map((name) => fragments[name]);
  const bytes = Buffer.allocUnsafe(
    4 * parts.length + parts.reduce((sum, p) => sum + p.byteLength, 0),
  );
  let at = 4 * parts.length;
  parts.forEach((part, i) => {
    bytes.writeUInt32BE(part.byteLength, 4 * i);
    bytes.set(part, at);
    at += part.byteLength;
  });
  return bytes;
}

/** The fragments `encodeFragments` stored (views into its bytes), or undefined for anything else. */
function decodeFragments(stored: Uint8Array | undefined): ArticleFragments | undefined {
  if (!(stored instanceof Uint8Array) || stored.byteLength < 4 * FRAGMENT_NAMES.length)
    return undefined;
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  let at = 4 * FRAGMENT_NAMES.length;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < FRAGMENT_NAMES.length; i++) {
    const end = at + bytes.readUInt32BE(4 * i);
    if (end > bytes.byteLength) return undefined;
    parts.push(bytes.subarray(at, end));
    at = end;
  }
  if (at !== bytes.byteLength) return undefined;
  const [page, rss, atom, json] = parts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  return { page, rss, atom, json };
}
