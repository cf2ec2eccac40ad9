import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { type BuildLimits, MIB, WORKER_UNCOMPRESSED_LIMIT_MIB } from '../content/limits.ts';
import type { BuiltSite, Version } from '../site/types.ts';
import { BuildCache } from './build-cache.ts';
import { measureBundle } from './bundle-size.ts';
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

/**
 * Gives every version of the site its br and gzip bodies (`Version.codings`, indices into
 * `BuiltSite.coded`): the Worker sends them as they are. Versions with the same body share them.
 */
export async function compressSite(
  site: BuiltSite,
  compressor: BodyCompressor,
): Promise<CompressionStats> {
  const chunks = chunkBytesOf(site);
  const bytesOf = (part: number): Uint8Array => {
    const chunk = chunks[part] ?? '';
    return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  };
  const versions = Object.values(site.routes).flat();
  const bodies = versions.map((version) => Buffer.concat(version.parts.map(bytesOf)));
  const coded = await Promise.all(bodies.map((body) => compressor.compress(body)));
  const stats: CompressionStats = {
    bodies: 0,
    compressed: compressor.compressed,
    identityBytes: 0,
    brBytes: 0,
    gzipBytes: 0,
  };
  const indexOf = new Map<CodedBody, { br: number; gzip: number }>();
  versions.forEach((version, i) => {
    const codings = coded[i] as CodedBody;
    let known = indexOf.get(codings);
    if (known === undefined) {
      known = { br: site.coded.push(codings.br) - 1, gzip: site.coded.push(codings.gzip) - 1 };
      indexOf.set(codings, known);
      stats.bodies++;
      stats.identityBytes += (bodies[i] as Buffer).byteLength;
      stats.brBytes += codings.br.byteLength;
      stats.gzipBytes += codings.gzip.byteLength;
    }
    version.codings = known;
  });
  return stats;
}

/**
 * Takes the pre-compressed codings off the versions least polled until at least `excess` bytes
 * are gone, for a bundle over its budget: settled-looking archive pages first, then pages,
 * then the tags' and authors' feeds, and the site's own feeds last. Those versions are
 * compressed by the Worker per request instead (src/http/prebuilt.ts), so no reader gets
 * them uncompressed. Returns how many bodies lost their stored codings.
 */
export function dropCodings(site: BuiltSite, excess: number): number {
  const ranked = Object.entries(site.routes)
    .flatMap(([path, versions]) => versions.map((version) => ({ path, version })))
    .filter(({ version }) => version.codings !== undefined)
    .sort((a, b) => rankOf(b.path, b.version) - rankOf(a.path, a.version));
  let freed = 0;
  const dropped = new Set<string>();
  for (const { version } of ranked) {
    if (freed >= excess) break;
    const codings = version.codings as { br: number; gzip: number };
    const key = `${codings.br},${codings.gzip}`;
    delete version.codings;
    // Shared bodies free their bytes once, when the last version holding them lets go.
    if (dropped.has(key)) continue;
    if (Object.values(site.routes).some((vs) => vs.some((v) => v.codings === codings))) continue;
    dropped.add(key);
    freed +=
      (site.coded[codings.br]?.byteLength ?? 0) + (site.coded[codings.gzip]?.byteLength ?? 0);
    site.coded[codings.br] = EMPTY;
    site.coded[codings.gzip] = EMPTY;
  }
  return dropped.size;
}

const EMPTY = new Uint8Array(0);

/** Room kept under a limit when codings are dropped to fit: gzip adds a few bytes per 16 KiB block of stored data. */
const FIT_MARGIN_BYTES = 16 * 1024;

/**
 * Fits the pre-compressed codings into the bundle budget: when the module with all of them is
 * over `BUNDLE_LIMIT_MIB` (gzip) or the 64 MiB limit, drops the least polled (dropCodings) by
 * what is over. Compressed bytes do not compress again, so each one dropped takes a byte off
 * the gzip size too. Returns how many bodies lost their codings (0 when everything fits, or
 * when the bundle is over its budget without any codings, which the bundle check then reports).
 */
export async function fitCodings(site: BuiltSite, limits: BuildLimits): Promise<number> {
  if (site.coded.length === 0) return 0;
  const size = await measureBundle(renderSiteModule(site));
  const excess = Math.max(
    size.gzipBytes - limits.bundleLimitMib * MIB,
    size.bytes - WORKER_UNCOMPRESSED_LIMIT_MIB * MIB,
  );
  if (excess <= 0) return 0;
  const codedBytes = site.coded.reduce((sum, bytes) => sum + bytes.byteLength, 0);
  // Over even without them: keep them, and let the bundle check say what is too big.
  if (excess > codedBytes) return 0;
  return dropCodings(site, excess + FIT_MARGIN_BYTES);
}

/** How much a version's stored codings matter: 0 for the site's own feeds (polled all day) up to 4 for archive pages (read once). */
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
