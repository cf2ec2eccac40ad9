import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { type BuildLimits, MIB, WORKER_UNCOMPRESSED_LIMIT_MIB } from '../content/limits.ts';
import type { BuiltSite, Version } from '../site/types.ts';
import { BuildCache } from './build-cache.ts';
import { type BundleSize, gzipLength, measureBundle } from './bundle-size.ts';
import { chunkBytesOf } from './site.ts';
import { renderSiteModule } from './site-module.ts';

/** The codings the build stores. */
export type StoredCoding = 'br' | 'gzip';

/** What compressing a site's bodies did, for the build's notes and the bench. */
export interface CompressionStats {
  /** Distinct bodies the Worker holds. */
  bodies: number;
  /** Codings compressed in this build (the rest came from the build cache). */
  compressed: number;
  /** Of the bodies: with both codings stored, with one (gzip or br), with none. */
  both: number;
  one: number;
  none: number;
  /** Bytes of the bodies with a coding stored, and of their stored codings. */
  identityBytes: number;
  brBytes: number;
  gzipBytes: number;
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * Everything the compressed bytes depend on besides the body: the settings below and the
 * libraries' versions. Not the code version: editing the renderers changes bodies, and so
 * their hashes, but a body that comes out the same keeps its codings.
 */
const CODING_VERSION = `br q11 lgwin22 text, gzip 9; brotli ${process.versions.brotli ?? ''} zlib ${process.versions.zlib}`;

/**
 * Compresses bodies, each body and coding once, with the build cache in front. Jobs run
 * asynchronously on libuv's thread pool, at most one per core at a time: brotli at quality 11
 * takes about 0.3 s of CPU for a 120 KB feed, so a site's bodies are compressed on every core;
 * more jobs than cores would only queue the build's file writes behind them (they share the
 * pool).
 */
export class BodyCompressor {
  readonly #cache: BuildCache | undefined;
  readonly #known = new Map<string, Promise<Uint8Array>>();
  readonly #limit = Math.max(1, availableParallelism());
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  /** Codings compressed by this compressor, not found in the cache. */
  compressed = 0;

  constructor(cache?: BuildCache) {
    this.#cache = cache;
  }

  /** A body in a coding: from this build, from the cache (under the SHA-256 of the body), or compressed now. */
  compress(body: Uint8Array, coding: StoredCoding): Promise<Uint8Array> {
    const hash = createHash('sha256').update(body).digest('hex');
    let coded = this.#known.get(`${coding} ${hash}`);
    if (coded === undefined) {
      coded = this.#load(hash, body, coding);
      this.#known.set(`${coding} ${hash}`, coded);
    }
    return coded;
  }

  async #load(hash: string, body: Uint8Array, coding: StoredCoding): Promise<Uint8Array> {
    const key = BuildCache.keyOf('compress', CODING_VERSION, coding, hash);
    const stored = await this.#cache?.read<Uint8Array>('compress', key);
    if (stored instanceof Uint8Array && stored.byteLength > 0) return stored;
    const coded = await this.#slot(() => compressBody(body, coding));
    this.compressed++;
    this.#cache?.write('compress', key, coded);
    return coded;
  }

  async #slot<T>(job: () => Promise<T>): Promise<T> {
    while (this.#running >= this.#limit)
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await job();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

/**
 * Compresses one body in one coding: brotli at its highest quality (11; its text mode and a
 * window that holds any feed), or gzip at level 9. What readers download is the cost that
 * matters (issue 14), and the build pays for it once per body.
 */
export function compressBody(body: Uint8Array, coding: StoredCoding): Promise<Uint8Array> {
  if (coding === 'gzip') return gzipAsync(body, { level: 9 });
  return brotliAsync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: 22,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
    },
  });
}

/** What `compressWithin` did: the codings kept, and the bundle with and without them. */
export interface CompressionResult {
  stats: CompressionStats;
  /** The bundle estimate of the site without any codings. */
  bare: BundleSize;
  /** The bundle estimate with the codings kept: the bare one plus their bytes, measured. */
  total: BundleSize;
}

/** A coding's share of a body's bytes, about (br 17–25%, gzip 20–29% here): the estimate that decides whether to compress it at all. */
const CODED_SHARE: Record<StoredCoding, number> = { br: 0.25, gzip: 0.3 };

/**
 * The order codings are kept in, by how often readers fetch a kind of document and which
 * coding they take: feed readers mostly send `gzip` (Go, Python and PHP clients rarely offer
 * br) and browsers `br`, so a feed's gzip comes before its br and a page's br before its gzip.
 * Ranks: the site's own feeds (polled all day), the tags' and authors' feeds, their pages,
 * archive feeds, archive pages (read once).
 */
function orderOf(path: string, version: Version): [rank: number, codings: StoredCoding[]] {
  const archive = path.includes('/archive/');
  const feed = version.type !== 'html';
  const rank =
    !archive && feed ? (path.lastIndexOf('/') === 0 ? 0 : 1) : !archive ? 2 : feed ? 3 : 4;
  return [rank, feed ? ['gzip', 'br'] : ['br', 'gzip']];
}

/**
 * Gives the versions of the site their br and gzip bodies (`Version.codings`, indices into
 * `BuiltSite.coded`), as many as the bundle budget holds: compressed bytes do not compress
 * again, so each one costs a byte of `BUNDLE_LIMIT_MIB` (gzip). The bundle is measured once
 * without them; then each (body, coding) is taken in the order of `orderOf`, both codings of
 * one rank before the next rank. A coding whose estimate is over the room left is never
 * compressed, so a rebuild compresses only changed bodies in codings that will be kept. What
 * is not stored, the runtime compresses per request (src/http/prebuilt.ts), so no reader that
 * takes br or gzip gets a body uncompressed. Versions with the same body share its codings.
 */
export async function compressWithin(
  site: BuiltSite,
  compressor: BodyCompressor,
  limits: BuildLimits,
): Promise<CompressionResult> {
  const bare = await measureBundle(renderSiteModule(site));
  let room =
    Math.min(
      limits.bundleLimitMib * MIB - bare.gzipBytes,
      WORKER_UNCOMPRESSED_LIMIT_MIB * MIB - bare.bytes,
    ) - FIT_MARGIN_BYTES;
  const chunks = chunkBytesOf(site);
  const bytesOf = (part: number): Uint8Array => {
    const chunk = chunks[part] ?? '';
    return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  };
  // Distinct bodies, each with every version that holds it and its best rank.
  interface Body {
    body: Buffer;
    rank: number;
    codings: StoredCoding[];
    versions: Version[];
    stored: { br?: number; gzip?: number };
  }
  const bodies = new Map<string, Body>();
  for (const [path, versions] of Object.entries(site.routes))
    for (const version of versions) {
      const key = version.parts.join(',');
      const [rank, codings] = orderOf(path, version);
      let entry = bodies.get(key);
      if (!entry) {
        const body = Buffer.concat(version.parts.map(bytesOf));
        entry = { body, rank, codings, versions: [], stored: {} };
        bodies.set(key, entry);
      }
      if (rank < entry.rank) [entry.rank, entry.codings] = [rank, codings];
      entry.versions.push(version);
    }
  const items = [...bodies.values()]
    .flatMap((entry) =>
      entry.codings.map((coding, i) => ({ entry, coding, order: entry.rank * 2 + i })),
    )
    .sort((a, b) => a.order - b.order);
  const kept: Uint8Array[] = [];
  // Every coding whose estimate fits is started at once (the compressor runs one per core), so
  // no core waits for a batch's slowest brotli; the results are then kept in order while their
  // real sizes fit. Codings skipped on their estimate are tried again with the room left.
  let pending = items;
  while (pending.length > 0) {
    const batch: typeof items = [];
    const skipped: typeof items = [];
    let estimate = 0;
    for (const item of pending) {
      const guess = item.entry.body.byteLength * CODED_SHARE[item.coding];
      if (estimate + guess > room) skipped.push(item);
      else {
        estimate += guess;
        batch.push(item);
      }
    }
    if (batch.length === 0) break;
    const coded = await Promise.all(
      batch.map(({ entry, coding }) => compressor.compress(entry.body, coding)),
    );
    batch.forEach(({ entry, coding }, i) => {
      const bytes = coded[i] as Uint8Array;
      if (bytes.byteLength > room) return;
      room -= bytes.byteLength;
      entry.stored[coding] = site.coded.push(bytes) - 1;
      kept.push(bytes);
    });
    pending = skipped;
  }
  const stats: CompressionStats = {
    bodies: bodies.size,
    compressed: compressor.compressed,
    both: 0,
    one: 0,
    none: 0,
    identityBytes: 0,
    brBytes: 0,
    gzipBytes: 0,
  };
  for (const entry of bodies.values()) {
    const { br, gzip } = entry.stored;
    const count = (br === undefined ? 0 : 1) + (gzip === undefined ? 0 : 1);
    stats[count === 2 ? 'both' : count === 1 ? 'one' : 'none']++;
    if (count === 0) continue;
    for (const version of entry.versions) version.codings = { ...entry.stored };
    stats.identityBytes += entry.body.byteLength;
    stats.brBytes += br === undefined ? 0 : (site.coded[br]?.byteLength ?? 0);
    stats.gzipBytes += gzip === undefined ? 0 : (site.coded[gzip]?.byteLength ?? 0);
  }
  const codedBytes = stats.brBytes + stats.gzipBytes;
  // The Data module is gzipped whole; its coded part, which follows the text, adds its own gzip size.
  const codedGzip = codedBytes === 0 ? 0 : await gzipLength(Buffer.concat(kept));
  const total: BundleSize = {
    siteBytes: bare.siteBytes + codedBytes,
    siteGzipBytes: bare.siteGzipBytes + codedGzip,
    bytes: bare.bytes + codedBytes,
    gzipBytes: bare.gzipBytes + codedGzip,
  };
  return { stats, bare, total };
}

/** Room kept under a limit: gzip adds a few bytes per block of stored data, and the module's text grows by the codings' indices. */
const FIT_MARGIN_BYTES = 16 * 1024;
