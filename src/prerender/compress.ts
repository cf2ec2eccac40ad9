import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { BuiltSite, Version } from '../site/types.ts';
import { BuildCache } from './build-cache.ts';
import { type BodySink, chunkBytesOf } from './site.ts';

/** The codings the build stores. */
export type StoredCoding = 'br' | 'gzip';

/** What compressing a site's bodies did, for the build's notes and the bench. */
export interface CompressionStats {
  /** Distinct bodies the Worker holds. */
  bodies: number;
  /** Codings compressed in this build (the rest came from the build cache). */
  compressed: number;
  /** Bytes of the bodies, and of their stored codings. */
  identityBytes: number;
  brBytes: number;
  gzipBytes: number;
}

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * brotli's quality for the Worker's bodies. 11, the highest, makes a 120 KB feed about 3.5%
 * smaller than 10 (an archive page 4.5%) for 2.6 times the CPU (0.26 s against 0.10 s here);
 * every rebuild compresses the dozen feeds an article changes, and 10 keeps that about a second
 * shorter (BENCHMARKS.md, "brotli's quality"). Below 10 brotli's ratio falls off a step:
 * quality 9 is within 6% of gzip.
 */
const BROTLI_QUALITY = 10;

/**
 * Everything the compressed bytes depend on besides the body: compressBody's settings and the
 * libraries' versions. Not the code version: editing the renderers changes bodies, and so
 * their hashes, but a body that comes out the same keeps its codings.
 */
const CODING_VERSION = `br q${BROTLI_QUALITY} lgwin22 text, gzip 9; brotli ${process.versions.brotli ?? ''} zlib ${process.versions.zlib}`;

/**
 * brotli at quality 10 takes about 0.1 s of CPU for a 120 KB feed, and a job only starts or
 * hands back its bytes at a turn of the event loop: while jobs are in flight, a render that
 * runs for longer than this without one stops at the next document (`turn`).
 */
const TURN_MS = 10;

/**
 * Jobs to run at once while the render's file writes share libuv's thread pool with them (4
 * threads unless UV_THREADPOOL_SIZE says otherwise): one a core, two threads left to the
 * writes. On two cores, 3.1 s of brotli were left after a 20,000-article render, against
 * 4.6–5 s with one job fewer than the cores (BENCHMARKS.md, "Writing the spare folder in place").
 */
export function limitBesideWrites(cores = availableParallelism()): number {
  const poolThreads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(cores, poolThreads - 2));
}

/**
 * Compresses bodies, each body and coding once, with the build cache in front. Jobs run
 * asynchronously on libuv's thread pool, at most `limit` at a time: one per core by default,
 * since more jobs than cores would only queue the build's file writes behind them (they share
 * the pool). While the render runs on the main thread, the build takes the bodies as they are
 * final (`take`) with `limitBesideWrites`, and raises the limit once the render is done.
 */
export class BodyCompressor implements BodySink {
  readonly #cache: BuildCache | undefined;
  readonly #known = new Map<string, Promise<Uint8Array>>();
  #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  /** Codings being loaded or compressed, and when the event loop last turned for them. */
  #inFlight = 0;
  #turned = 0;
  /** Codings compressed by this compressor, not found in the cache. */
  compressed = 0;

  constructor(cache?: BuildCache, { limit = availableParallelism() }: { limit?: number } = {}) {
    this.#cache = cache;
    this.#limit = Math.max(1, limit);
  }

  /** Jobs that run at once; raising it starts jobs that wait. */
  get limit(): number {
    return this.#limit;
  }

  set limit(limit: number) {
    this.#limit = Math.max(1, limit);
    for (let free = this.#limit - this.#running; free > 0 && this.#waiting.length > 0; free--)
      this.#waiting.shift()?.();
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

  /**
   * Starts both codings of a body the build will compress: `compressBodies` later asks for the
   * same body and is given the same jobs. A failure is its to report.
   */
  take(body: Uint8Array): void {
    for (const coding of STORED_CODINGS) this.compress(body, coding).catch(() => undefined);
  }

  /** A turn of the event loop when jobs are in flight and the last one was TURN_MS ago; otherwise undefined. */
  turn(): Promise<void> | undefined {
    if (this.#inFlight === 0 || performance.now() - this.#turned < TURN_MS) return undefined;
    return new Promise((resolve) =>
      setImmediate(() => {
        this.#turned = performance.now();
        resolve();
      }),
    );
  }

  async #load(hash: string, body: Uint8Array, coding: StoredCoding): Promise<Uint8Array> {
    this.#inFlight++;
    try {
      const key = BuildCache.keyOf('compress', CODING_VERSION, coding, hash);
      const stored = await this.#cache?.read<Uint8Array>('compress', key);
      if (stored instanceof Uint8Array && stored.byteLength > 0) return stored;
      const coded = await this.#slot(() => compressBody(body, coding));
      this.compressed++;
      this.#cache?.write('compress', key, coded);
      return coded;
    } finally {
      this.#inFlight--;
    }
  }

  async #slot<T>(job: () => Promise<T>): Promise<T> {
    while (this.#running >= this.#limit)
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await job();
    } finally {
      this.#running--;
      this.#turned = performance.now();
      if (this.#running < this.#limit) this.#waiting.shift()?.();
    }
  }
}

/** The codings of every body, in the order they are asked for. */
const STORED_CODINGS: readonly StoredCoding[] = ['gzip', 'br'];

/**
 * Compresses one body in one coding: brotli at BROTLI_QUALITY (in its text mode, with a window
 * that holds any feed), or gzip at level 9. What readers download is the cost that matters
 * (issue 14), and the build pays for it once per body.
 */
export function compressBody(body: Uint8Array, coding: StoredCoding): Promise<Uint8Array> {
  if (coding === 'gzip') return gzipAsync(body, { level: 9 });
  return brotliAsync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: 22,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
    },
  });
}

/**
 * Gives every version of the site its br and gzip bodies (`Version.codings`, indices into
 * `BuiltSite.coded`), each distinct body compressed once in each coding, all at once (the
 * compressor runs one job per core), or taken from the compressor's jobs when the render handed
 * it the body already (`BodyCompressor.take`): the codings and their order are those of the
 * site's routes either way. They go into the static assets beside the identity
 * bodies (src/prerender/site-module.ts), not into the bundle, so every coding of every body is
 * stored whatever the archive: no reader that takes br or gzip waits for the runtime to
 * compress a body. Versions with the same body share its codings.
 */
export async function compressBodies(
  site: BuiltSite,
  compressor: BodyCompressor,
): Promise<CompressionStats> {
  const chunks = chunkBytesOf(site);
  const bytesOf = (part: number): Uint8Array => {
    const chunk = chunks[part] ?? '';
    return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  };
  // Distinct bodies, each with every version that holds it.
  const bodies = new Map<string, { body: Buffer; versions: Version[] }>();
  for (const versions of Object.values(site.routes))
    for (const version of versions) {
      const key = version.parts.join(',');
      let entry = bodies.get(key);
      if (!entry) {
        entry = { body: Buffer.concat(version.parts.map(bytesOf)), versions: [] };
        bodies.set(key, entry);
      }
      entry.versions.push(version);
    }
  const stats: CompressionStats = {
    bodies: bodies.size,
    compressed: 0,
    identityBytes: 0,
    brBytes: 0,
    gzipBytes: 0,
  };
  const entries = [...bodies.values()];
  const coded = await Promise.all(
    entries.map(async ({ body }) => {
      const [gzip, br] = await Promise.all([
        compressor.compress(body, 'gzip'),
        compressor.compress(body, 'br'),
      ]);
      return { gzip, br };
    }),
  );
  entries.forEach(({ body, versions }, i) => {
    const { br, gzip } = coded[i] as { br: Uint8Array; gzip: Uint8Array };
    const codings = { br: site.coded.push(br) - 1, gzip: site.coded.push(gzip) - 1 };
    for (const version of versions) version.codings = codings;
    stats.identityBytes += body.byteLength;
    stats.brBytes += br.byteLength;
    stats.gzipBytes += gzip.byteLength;
  });
  stats.compressed = compressor.compressed;
  return stats;
}
