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

/** A body's pre-compressed codings. */
export interface CodedBody {
  br: Uint8Array;
  gzip: Uint8Array;
}

/** What compressing a site's bodies did, for the build's timings and the bench. */
export interface CompressionStats {
  /** Distinct bodies the Worker holds. */
  bodies: number;
  /** Of those, compressed in this build (the rest came from the build cache). */
  compressed: number;
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
 * Compresses bodies in br and gzip, each body once, with the build cache in front. Both run
 * asynchronously on libuv's thread pool, at most one job per core at a time: brotli at quality
 * 11 takes about 0.3 s of CPU for a 120 KB feed, so the bodies of a site are compressed on
 * every core; more jobs than cores would only queue the file writes of the build behind them
 * (they share the pool).
 */
export class BodyCompressor {
  readonly #cache: BuildCache | undefined;
  readonly #known = new Map<string, Promise<CodedBody>>();
  readonly #limit = Math.max(1, availableParallelism());
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  /** Bodies compressed by this compressor, not found in the cache. */
  compressed = 0;

  constructor(cache?: BuildCache) {
    this.#cache = cache;
  }

  /** A body's codings: from this build, from the cache (under the SHA-256 of the body), or compressed now. */
  compress(body: Uint8Array): Promise<CodedBody> {
    const hash = createHash('sha256').update(body).digest('hex');
    let coded = this.#known.get(hash);
    if (coded === undefined) {
      coded = this.#load(hash, body);
      this.#known.set(hash, coded);
    }
    return coded;
  }

  async #load(hash: string, body: Uint8Array): Promise<CodedBody> {
    const key = BuildCache.keyOf('compress', CODING_VERSION, hash);
    const stored = decodeCoded(await this.#cache?.read<Uint8Array>('compress', key));
    if (stored) return stored;
    const coded = await this.#slot(() => compressBody(body));
    this.compressed++;
    this.#cache?.write('compress', key, encodeCoded(coded));
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
 * Compresses one body: brotli at its highest quality (11; its text mode and a window that holds
 * any feed), and gzip at level 9. What readers download is the cost that matters (issue 14),
 * and the build pays for it once per body.
 */
export async function compressBody(body: Uint8Array): Promise<CodedBody> {
  const [br, gz] = await Promise.all([
    brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: 22,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
      },
    }),
    gzipAsync(body, { level: 9 }),
  ]);
  return { br, gzip: gz };
}

/** What `compressWithin` did: the codings kept, and the bundle without them (what the build measured first). */
export interface CompressionResult {
  stats: CompressionStats & {
    /** Distinct bodies left without stored codings by the budget: the runtime compresses them. */
    dropped: number;
  };
  /** The bundle estimate of the site without any codings. */
  bare: BundleSize;
  /** The bundle estimate with the codings kept: the bare one plus their bytes, measured. */
  total: BundleSize;
}

/** br and gzip together come to about 40% of a feed's bytes, 50% of a page's: the estimate that decides what to compress at all. */
const CODED_SHARE = 0.5;

/**
 * Gives the versions of the site their br and gzip bodies (`Version.codings`, indices into
 * `BuiltSite.coded`), as many as the bundle budget holds: compressed bytes do not compress
 * again, so each one costs a byte of `BUNDLE_LIMIT_MIB` (gzip). The bundle is measured once
 * without them, then the bodies are taken by how often readers fetch them: the site's own
 * feeds, the tags' and authors' feeds, their pages, archive pages last. A body whose estimate
 * is over the room left is not compressed at all, so a rebuild compresses only changed bodies
 * that will be kept. The others are compressed by the runtime per request
 * (src/http/prebuilt.ts), so no reader gets them uncompressed. Versions with the same body
 * share its codings.
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
  // Distinct bodies, each with every version that holds it, in the order they are kept.
  const bodies = new Map<string, { body: Buffer; rank: number; versions: Version[] }>();
  for (const [path, versions] of Object.entries(site.routes))
    for (const version of versions) {
      const key = version.parts.join(',');
      let entry = bodies.get(key);
      if (!entry) {
        entry = { body: Buffer.concat(version.parts.map(bytesOf)), rank: 5, versions: [] };
        bodies.set(key, entry);
      }
      entry.rank = Math.min(entry.rank, rankOf(path, version));
      entry.versions.push(version);
    }
  const ordered = [...bodies.values()].sort((a, b) => a.rank - b.rank);
  const stats = {
    bodies: ordered.length,
    compressed: 0,
    identityBytes: 0,
    brBytes: 0,
    gzipBytes: 0,
    dropped: 0,
  };
  const kept: Uint8Array[] = [];
  const batchSize = 2 * Math.max(1, availableParallelism());
  for (let at = 0; at < ordered.length; ) {
    // The next few bodies that may fit, compressed together on the thread pool.
    const batch: typeof ordered = [];
    let estimate = 0;
    for (; at < ordered.length && batch.length < batchSize; at++) {
      const entry = ordered[at] as (typeof ordered)[number];
      const guess = entry.body.byteLength * CODED_SHARE;
      if (estimate + guess > room) {
        stats.dropped++;
        continue;
      }
      estimate += guess;
      batch.push(entry);
    }
    const coded = await Promise.all(batch.map((entry) => compressor.compress(entry.body)));
    batch.forEach((entry, i) => {
      const { br, gzip } = coded[i] as CodedBody;
      const cost = br.byteLength + gzip.byteLength;
      if (cost > room) {
        stats.dropped++;
        return;
      }
      room -= cost;
      const codings = { br: site.coded.push(br) - 1, gzip: site.coded.push(gzip) - 1 };
      for (const version of entry.versions) version.codings = codings;
      kept.push(br, gzip);
      stats.identityBytes += entry.body.byteLength;
      stats.brBytes += br.byteLength;
      stats.gzipBytes += gzip.byteLength;
    });
  }
  stats.compressed = compressor.compressed;
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

/** How often readers fetch a version's path: 0 for the site's own feeds (polled all day) up to 4 for archive pages (read once). */
function rankOf(path: string, version: Version): number {
  const archive = path.includes('/archive/');
  const feed = version.type !== 'html';
  if (!archive && feed) return path.lastIndexOf('/') === 0 ? 0 : 1;
  if (!archive) return 2;
  return feed ? 3 : 4;
}

/** The two codings back to back behind the br length. */
function encodeCoded({ br, gzip }: CodedBody): Uint8Array {
  const bytes = Buffer.allocUnsafe(4 + br.byteLength + gzip.byteLength);
  bytes.writeUInt32BE(br.byteLength, 0);
  bytes.set(br, 4);
  bytes.set(gzip, 4 + br.byteLength);
  return bytes;
}

/** The codings `encodeCoded` stored, or undefined for anything else. */
function decodeCoded(stored: Uint8Array | undefined): CodedBody | undefined {
  if (!(stored instanceof Uint8Array) || stored.byteLength < 4) return undefined;
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const brLength = bytes.readUInt32BE(0);
  if (4 + brLength > bytes.byteLength) return undefined;
  return { br: bytes.subarray(4, 4 + brLength), gzip: bytes.subarray(4 + brLength) };
}
