import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type ParsedArticle, parseArticle } from '../content/article.ts';
import { ConfigError, parseSiteConfig, type RawVars, readConfigVars } from '../content/config.ts';
import { type BuildLimits, parseBuildLimits } from '../content/limits.ts';
import { listArticleFiles } from '../content/list-articles.ts';
import { formatProblem, type Problem } from '../content/problem.ts';
import {
  type ParseCache,
  type ParseJob,
  type ReadResult,
  readArticles,
} from '../content/read-articles.ts';
import type { Article, BuiltSite, SiteConfig } from '../site/types.ts';
import { fieldsWithParts, partsOf, type StoredParts, withLazyParts } from './articles.ts';
import { type AssetPlan, renderHeadersFile, renderRedirectsFile } from './asset-layout.ts';
import {
  type AssetReader,
  CountingAssets,
  checkAssetLimits,
  DirectoryAssets,
  MemoryAssets,
  readAssetsFrom,
} from './asset-output.ts';
import { BuildCache, type CacheKind, computeCodeVersion, defaultCacheDir } from './build-cache.ts';
import { BuildPool, PARSE_BATCH, POOL_MIN_ARTICLES } from './build-pool.ts';
import { checkBundleSize } from './bundle-size.ts';
import {
  BodyCompressor,
  type CompressionStats,
  compressBodies,
  limitBesideWrites,
} from './compress.ts';
import {
  type ArticleFragments,
  type FeedFragments,
  type FragmentSource,
  planSite,
  renderSite,
} from './site.ts';
import { renderSiteModule, stageSiteModule } from './site-module.ts';

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
  /** The clock by which the build cache dates the files' stats it records (tests); defaults to Date.now. */
  clock?: () => number;
  /**
   * Pre-compresses every body the Worker holds in br and gzip (the default); false leaves them
   * all to be compressed per request (tests that do not look at codings: brotli at quality 10
   * costs milliseconds even for a small body).
   */
  compress?: boolean;
  /** Parses files and renders articles on worker threads from this many of either to do (tests); POOL_MIN_ARTICLES when omitted. */
  poolMinArticles?: number;
}

/** Entries the cache had and entries computed, by kind; absent when the cache was off. */
export type CacheStats = Record<Exclude<CacheKind, 'html'>, { hits: number; misses: number }>;

/** Files parsed and articles rendered on the build's worker threads (src/prerender/build-pool.ts); absent when they never started. */
export type PoolStats = { parsed: number; rendered: number };

/** Outcome of a build: the site, or every problem found. */
export type BuildResult =
  | {
      ok: true;
      site: BuiltSite;
      /** The settled documents, read from memory (`keepAssets`) or from the folder written. */
      assets?: AssetReader;
      /** Settled files kept from an earlier build (left in place, or hard-linked from the live folder) rather than rendered. */
      assetsKept: number;
      /** The Worker's own files under `/_worker/` (its bodies in every coding, the query index), and how many were kept. */
      workerFiles: { files: number; kept: number };
      /** The Workers plan whose static-asset file limit the site fits. */
      plan: AssetPlan;
      articleCount: number;
      notes: string[];
      cache?: CacheStats;
      /** The Worker's bodies in br and gzip: how many, and their bytes. */
      compression: CompressionStats;
      pool?: PoolStats;
    }
  | { ok: false; messages: string[]; cache?: CacheStats; pool?: PoolStats };

/**
 * Reads the configuration and articles, validates them, renders every response, and (given
 * `outFile`) writes the static assets and then the generated module atomically: on any problem
 * the previous module and assets folder stay exactly as they were.
 */
export async function runBuild(options: BuildOptions): Promise<BuildResult> {
  const root = options.root;
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
  // One pool for the parse and the render, started only for the first of them that has enough
  // to do, and stopped however the build ends.
  const pool = new BuildPool(config);
  try {
    const result = await buildWith(options, config, limits, pool);
    return pool.started ? { ...result, pool: { ...pool.done } } : result;
  } finally {
    await pool.close();
  }
}

/** The build after the configuration is read: `runBuild`, with `pool` for the work worth sharing out. */
async function buildWith(
  options: BuildOptions,
  config: SiteConfig,
  limits: BuildLimits,
  pool: BuildPool,
): Promise<BuildResult> {
  const root = options.root;
  const articlesDir = join(root, options.articlesDir ?? 'articles');
  const poolMin = options.poolMinArticles ?? POOL_MIN_ARTICLES;
  const useCache = options.cache ?? true;
  const cacheDir =
    options.cacheDir ?? (process.env.FEED_PUBLISHER_CACHE_DIR || defaultCacheDir(root));
  const cache = useCache
    ? new BuildCache(resolve(root, cacheDir), options.clock ? { clock: options.clock } : {})
    : undefined;
  // Everything that shapes the output besides an article's own bytes and path, hashed once:
  // every key of the build starts with it.
  const context = useCache
    ? [
        BuildCache.keyOf(
          'context',
          options.codeVersion ?? (await computeCodeVersion()),
          JSON.stringify(config),
        ),
      ]
    : [];
  /** Ends the build: waits for the cache's writes and prunes what this build did not use. */
  const finish = async <T extends BuildResult>(result: T, prune: CacheKind[]): Promise<T> => {
    if (!cache) return result;
    // Open packs are closed whichever way the build ends (a build that stops at a problem never renders).
    cache.release('html');
    // An article's HTML is kept and dropped with its parse.
    const note = await cache.flush(prune.includes('parse') ? [...prune, 'html'] : prune);
    if (note && result.ok) result.notes.push(note);
    const { parse, render, compress } = cache.stats;
    return { ...result, cache: { parse, render, compress } };
  };

  const phase = startPhases();
  const listing = await listArticleFiles(root, articlesDir);
  phase('list');
  const problems: Problem[] = [...listing.problems];
  const parsed: ParsedArticle[] = [];
  /** Each file's parse key (of its bytes' digest), for the parse cache and the render keys. */
  const parseKeys = new Map<string, string>();
  if (cache) await cache.ready('html');
  const parseCache: ParseCache | undefined = cache && {
    recall: (file, stats) => cache.recall(file, stats),
    record: (file, stats, digest) => cache.record(file, stats, digest),
    load: async (file, digest) => {
      const key = BuildCache.keyOf('parse', ...context, file, digest);
      parseKeys.set(file, key);
      const stored = await cache.read<ReadResult>('parse', key);
      if (!stored?.article) return stored;
      cache.keep('html', key);
      // Read when first asked for: a rebuild renders a few articles, and reading every
      // article's summary and body cost about a second at 20,000.
      const reparse = () => reparseParts(join(root, file), file, digest, config);
      stored.article = withLazyParts(stored.article, readStoredParts(cache, key, reparse));
      return stored;
    },
    store: (file, digest, result) => {
      const key = parseKeys.get(file) ?? BuildCache.keyOf('parse', ...context, file, digest);
      parseKeys.set(file, key);
      if (!result.article) return cache.write('parse', key, result);
      // Left out, never placeholders: `withLazyParts` gives the stored ones.
      const { summary, contentHtml, ...article } = result.article;
      cache.write('parse', key, { ...result, article });
      cache.write('html', key, encodeParts(summary, contentHtml));
    },
    drain: async () => {
      await cache.drain('parse');
      await cache.drain('html');
    },
  };
  // Two batches in flight per worker: one parsing, the next waiting for it.
  const parser = {
    minFiles: poolMin,
    batchSize: PARSE_BATCH,
    inFlight: 2 * pool.threads,
    parse: (jobs: readonly ParseJob[]) => pool.parse(jobs),
  };
  for (const result of await readArticles(listing.files, config, limits, parseCache, parser)) {
    problems.push(...result.problems);
    if (result.article) parsed.push(result.article);
  }
  cache?.release('parse');
  phase('read and parse');
  // Stable: each file's problems stay in line order.
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  if (problems.length > 0)
    return finish({ ok: false, messages: problems.map(formatProblem) }, ['parse']);

  const planned = planSite(parsed, config);
  phase('plan');
  if (!planned.plan)
    return finish({ ok: false, messages: planned.problems.map(formatProblem) }, ['parse']);
  const outFile = options.outFile && resolve(root, options.outFile);
  const assets = outFile
    ? new DirectoryAssets(assetsDirOf(outFile))
    : options.keepAssets
      ? new MemoryAssets()
      : new CountingAssets();
  // Under the folders' lock, `open` also repairs a link a dead build left broken.
  if (assets instanceof DirectoryAssets) await assets.open();
  try {
    const fragments =
      cache && (await loadFragments(cache, context, planned.plan.articles, parsed, parseKeys));
    phase('keys');
    // A cold build renders every article: on worker threads first, while the main thread waits.
    const unrendered = planned.plan.articles.filter((article) => !fragments?.has(article));
    const prerendered = unrendered.length >= poolMin ? await pool.render(unrendered) : undefined;
    // Nothing is left for the workers: their memory is freed before the documents are assembled.
    await pool.close();
    phase('render ahead');
    // The render hands the compressor each Worker body as soon as it is final: it compresses
    // beside the render's file writes, then on every core once the render is done.
    const compressor =
      (options.compress ?? true)
        ? new BodyCompressor(cache, { limit: limitBesideWrites() })
        : undefined;
    const site = await renderSite(
      planned.plan,
      config,
      options.now ?? Date.now(),
      assets,
      fragments,
      prerendered,
      compressor,
    );
    phase('render');
    cache?.release('render');
    cache?.release('html');
    // Compressing runs on the thread pool while the fragments are written.
    if (compressor) compressor.limit = availableParallelism();
    const compressing = compressor ? compressBodies(site, compressor) : undefined;
    if (cache && fragments) await storeFragments(cache, fragments.rendered);
    phase('store fragments');
    const compressed = await compressing;
    phase('compress');
    const generated = renderSiteModule(site);
    // The Worker's bodies and query index are static assets too, kept when unchanged.
    const keptSettled = assets instanceof DirectoryAssets ? assets.kept : 0;
    for (const file of generated.files) {
      const key = BuildCache.keyOf('worker file', file.bytes);
      if (assets.reuse(file.path, key)) continue;
      assets.put(file.path, [file.bytes], { key });
      if (assets instanceof DirectoryAssets) await assets.pressure();
    }
    const articleCount = parsed.filter((p) => !p.draft).length;
    const assetLimits = checkAssetLimits(assets.tally);
    const bundleProblems = await checkBundleSize(generated, limits, articleCount);
    const tooBig = [...bundleProblems, ...assetLimits.problems];
    phase('bundle check');
    if (tooBig.length > 0)
      return finish(
        { ok: false, messages: tooBig },
        compressed ? ['parse', 'render', 'compress'] : ['parse', 'render'],
      );
    let reader: AssetReader | undefined;
    if (assets instanceof DirectoryAssets && outFile) {
      assets.writeControlFile('_headers', renderHeadersFile(config, site.contentSecurityPolicy));
      assets.writeControlFile('_redirects', renderRedirectsFile(config));
      // The module is written beside its name before the assets are replaced, so that a module
      // that cannot be written leaves the old one with its own assets. Then the assets first:
      // the module about to replace the old one reads items from them.
      const putModuleInPlace = await stageSiteModule(generated, outFile);
      await assets.commit();
      phase('commit assets');
      await putModuleInPlace();
      reader = readAssetsFrom(assets.target);
    } else if (assets instanceof MemoryAssets) reader = assets;
    const notes = [...listing.notes, ...planned.notes];
    if (assetLimits.note) notes.push(assetLimits.note);
    const compression = compressed ?? NO_COMPRESSION;
    const assetsKept = keptSettled;
    const workerFiles = {
      files: generated.files.length,
      kept: assets instanceof DirectoryAssets ? assets.kept - keptSettled : 0,
    };
    const { plan } = assetLimits;
    const built = {
      ok: true as const,
      site,
      assetsKept,
      workerFiles,
      plan,
      articleCount,
      notes,
      compression,
    };
    // A build that compressed nothing used none of the compressed bodies: they are kept.
    const used: CacheKind[] = compressed ? ['parse', 'render', 'compress'] : ['parse', 'render'];
    const done = await finish(reader ? { ...built, assets: reader } : built, used);
    phase('flush cache');
    return done;
  } catch (error) {
    // A build that throws (a file it cannot write) keeps the work it cached, and no file open.
    await cache?.close();
    throw error;
  } finally {
    if (assets instanceof DirectoryAssets) await assets.discard();
  }
}

/** What a build that pre-compresses nothing reports. */
const NO_COMPRESSION: CompressionStats = {
  bodies: 0,
  compressed: 0,
  identityBytes: 0,
  brBytes: 0,
  gzipBytes: 0,
};

/** With FEED_PUBLISHER_TIMINGS set, a function that prints the time since its last call under a name, and the memory in use (stderr). */
function startPhases(): (name: string) => void {
  if (!process.env.FEED_PUBLISHER_TIMINGS) return () => undefined;
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    const { rss, heapUsed, external } = process.memoryUsage();
    const mib = (bytes: number): string => `${Math.round(bytes / 1048576)} MiB`;
    process.stderr.write(
      `build phase ${name}: ${Math.round(now - last)} ms; rss ${mib(rss)}, heap ${mib(heapUsed)}, external ${mib(external)}\n`,
    );
    last = now;
  };
}

/** The folder of settled documents that goes with a generated module: `site.js` → `site.assets`. */
export function assetsDirOf(outFile: string): string {
  return `${outFile.replace(/\.js$/, '')}.assets`;
}

/** A summary and an HTML body as the cache stores them: the summary's byte length, the summary, the body (UTF-8). */
function encodeParts(summary: string, html: string): Buffer {
  const bytes = Buffer.from(`\0\0\0\0${summary}${html}`);
  bytes.writeUInt32BE(Buffer.byteLength(summary), 0);
  return bytes;
}

/**
 * The stored summary and HTML of a cached article (`withLazyParts`): its entry (the `html`
 * kind) read at the first call for either. An entry that is missing, fails its check or does
 * not hold two parts is made again from the file (and stored).
 */
function readStoredParts(
  cache: BuildCache,
  key: string,
  reparse: () => { summary: string; html: string },
): StoredParts {
  let parts: { summary: string; html: string } | undefined;
  const load = (): { summary: string; html: string } => {
    if (parts) return parts;
    const stored = cache.readNow<Uint8Array>('html', key);
    const entry =
      stored instanceof Uint8Array
        ? Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength)
        : undefined;
    const end = entry && entry.byteLength >= 4 ? 4 + entry.readUInt32BE(0) : Number.NaN;
    if (entry && end <= entry.byteLength)
      parts = { summary: entry.toString('utf8', 4, end), html: entry.toString('utf8', end) };
    else {
      parts = reparse();
      cache.write('html', key, encodeParts(parts.summary, parts.html));
    }
    return parts;
  };
  return { summary: () => load().summary, html: () => load().html };
}

/** An article's summary and HTML parsed again from its file, whose bytes must still be those of `digest` (the rest of the build used their parse). */
function reparseParts(
  path: string,
  file: string,
  digest: string,
  config: SiteConfig,
): { summary: string; html: string } {
  const bytes = readFileSync(path);
  const article =
    hash('sha256', bytes, 'hex') === digest ? parseArticle(file, bytes, config).article : undefined;
  if (article === undefined)
    throw new Error(
      `${file}: changed while the build ran (its cached summary and HTML were unreadable); build again`,
    );
  return { summary: article.summary, html: article.contentHtml };
}

/** Fragments from the cache, with those rendered in this build, which `storeFragments` writes once the (synchronous) render is done. */
type LoadedFragments = FragmentSource & { rendered: [key: string, fragments: ArticleFragments][] };

/**
 * The fragments of the cache, read as the render asks for them: a rebuild that keeps a settled
 * document from the last build never reads its items. Every article's key is computed from
 * exactly what the renderers receive (the article as they take it, the configuration and the
 * code), and kept in the cache whether read or not.
 */
async function loadFragments(
  cache: BuildCache,
  context: readonly string[],
  articles: readonly Article[],
  parsed: readonly ParsedArticle[],
  parseKeys: ReadonlyMap<string, string>,
): Promise<LoadedFragments> {
  await cache.ready('render');
  const sources = new Map<string, { parsed: ParsedArticle; parseKey: string }>();
  for (const p of parsed) {
    const parseKey = parseKeys.get(p.file);
    if (parseKey !== undefined) sources.set(p.slug, { parsed: p, parseKey });
  }
  const keys = new Map<Article, string>();
  for (const article of articles) {
    const key = renderKeyOf(context, article, sources.get(article.slug));
    keys.set(article, key);
    cache.keep('render', key);
  }
  const keyOf = (article: Article): string =>
    keys.get(article) ?? renderKeyOf(context, article, sources.get(article.slug));
  const rendered: [string, ArticleFragments][] = [];
  // A list page and its three feeds ask in a row for the same items and descriptor: those are
  // hashed once, and each path with their digest. An article page's one item is hashed with it.
  let last: { items: readonly Article[]; descriptor: string; digest: string } | undefined;
  return {
    rendered,
    keyOf,
    documentKey: (path, descriptor, items) => {
      if (items.length < 2)
        return BuildCache.keyOf('document', ...context, path, descriptor, ...items.map(keyOf));
      if (last?.items !== items || last.descriptor !== descriptor) {
        const digest = BuildCache.keyOf('document items', descriptor, ...items.map(keyOf));
        last = { items, descriptor, digest };
      }
      return BuildCache.keyOf('documents', ...context, path, last.digest);
    },
    get: (article) => decodeFragments(cache.readNow<Uint8Array>('render', keyOf(article))),
    has: (article) => cache.hasNow('render', keyOf(article)),
    set: (article, fragments) => {
      rendered.push([keyOf(article), fragments]);
    },
  };
}

/**
 * An article's render key. The body is the bulk of an article, and hashing every body again
 * at each build cost about 2 s at 20,000 articles, and every article's fields as JSON another
 * few tenths: so when the article comes from a file's parse (`source`), the parse key (the
 * file's bytes, the configuration and the code) stands in for each field whose value is the
 * parse's own (the same text or number; the summary and body, when they are the parse's
 * stored ones, see `partsOf`), since the same key always parses to the same values. The key
 * names those fields and holds the others' values: the tags and authors as the site merged
 * them, the ids made from the configuration, and anything else that was not the parse's.
 * An article from no parse is hashed whole.
 */
export function renderKeyOf(
  context: readonly string[],
  article: Article,
  source: { parsed: object; parseKey: string } | undefined,
): string {
  if (source === undefined)
    return BuildCache.keyOf('render', ...context, JSON.stringify(fieldsWithParts(article)));
  const parsed = source.parsed as Record<string, unknown>;
  const fields = article as unknown as Record<string, unknown>;
  const same: string[] = [];
  const own: Record<string, unknown> = {};
  // The summary and body first, the same way whether they are held or stored (`partsOf`), so
  // that an article parsed now and the same one from the cache have one key.
  const parts = partsOf(article);
  for (const name of ['summary', 'contentHtml'] as const) {
    const isParsed =
      parts === undefined ? article[name] === parsed[name] : parts === partsOf(parsed);
    if (isParsed) same.push(name);
    else own[name] = article[name];
  }
  for (const name of Object.keys(article)) {
    if (name === 'summary' || name === 'contentHtml') continue;
    const value = fields[name];
    // Objects (the tags and authors lists) by value: the parse's own could have been changed.
    if (typeof value !== 'object' && value === parsed[name]) same.push(name);
    else own[name] = value;
  }
  return BuildCache.keyOf(
    'render',
    ...context,
    source.parseKey,
    same.join(' '),
    JSON.stringify(own),
  );
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

/** The fragments the cache keeps (not the page: `FeedFragments`), in the order they are stored. */
const FRAGMENT_NAMES = ['rss', 'atom', 'json'] as const;

/** The feed fragments back to back behind their byte lengths. */
function encodeFragments(fragments: FeedFragments): Uint8Array {
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
function decodeFragments(stored: Uint8Array | undefined): FeedFragments | undefined {
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
  const [rss, atom, json] = parts as [Uint8Array, Uint8Array, Uint8Array];
  return { rss, atom, json };
}
