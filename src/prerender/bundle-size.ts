import { promisify } from 'node:util';
import { deflateRaw, gzipSync } from 'node:zlib';
import {
  type BuildLimits,
  formatBytes,
  MIB,
  WORKER_UNCOMPRESSED_LIMIT_MIB,
} from '../content/limits.ts';

/**
 * What the Worker's code adds to the generated site in the bundle wrangler uploads: Hono, the
 * routes, the HTTP helpers and date-fns. The allowances are over what `wrangler deploy
 * --dry-run` measures (BENCHMARKS.md), to leave the code room to grow;
 * test/node/prerender/bundle-size.test.ts checks them against a real dry-run bundle.
 */
export const WORKER_CODE_ALLOWANCE = { bytes: 256 * 1024, gzipBytes: 64 * 1024 } as const;

/** Estimated sizes of the bundle wrangler would upload. */
export interface BundleSize {
  /** The generated module as esbuild writes it (non-ASCII escaped), in bytes. */
  siteBytes: number;
  siteGzipBytes: number;
  /** The whole Worker: the module plus WORKER_CODE_ALLOWANCE. */
  bytes: number;
  gzipBytes: number;
}

/**
 * Estimates the Worker bundle for a generated site: its module and its Data module. esbuild,
 * which wrangler bundles with, writes non-ASCII characters in string literals as `\uXXXX`
 * escapes, so the module is measured that way; the Data module is uploaded as it is. Wrangler's
 * limit check gzips at zlib's default level, as done here.
 */
export async function measureBundle(
  generated: { moduleText: string; data: Uint8Array },
  escaped = escapeModule(generated.moduleText),
): Promise<BundleSize> {
  const siteBytes = escaped.byteLength + generated.data.byteLength;
  const siteGzipBytes = (await gzipLength(escaped)) + (await gzipLength(generated.data));
  return {
    siteBytes,
    siteGzipBytes,
    bytes: siteBytes + WORKER_CODE_ALLOWANCE.bytes,
    gzipBytes: siteGzipBytes + WORKER_CODE_ALLOWANCE.gzipBytes,
  };
}

/**
 * Checks the estimated bundle against `BUNDLE_LIMIT_MIB` (gzip) and Cloudflare's 64 MiB
 * uncompressed limit. Returns one sentence per limit exceeded, each naming the size, the limit
 * and what to do; empty when the bundle fits.
 */
export async function checkBundleSize(
  generated: { moduleText: string; data: Uint8Array },
  limits: BuildLimits,
  articleCount: number,
): Promise<string[]> {
  const escaped = escapeModule(generated.moduleText);
  const rawBytes = escaped.byteLength + generated.data.byteLength + WORKER_CODE_ALLOWANCE.bytes;
  // gzip never makes anything larger than its bound: a bundle whose raw size is within the
  // gzip budget even at that bound needs no compression to know it fits.
  if (
    gzipBound(rawBytes) <= limits.bundleLimitMib * MIB &&
    rawBytes <= WORKER_UNCOMPRESSED_LIMIT_MIB * MIB
  )
    return [];
  const size = await measureBundle(generated, escaped);
  const problems: string[] = [];
  const articles = `${articleCount} article${articleCount === 1 ? '' : 's'}`;
  const limitBytes = limits.bundleLimitMib * MIB;
  if (size.gzipBytes > limitBytes) {
    problems.push(
      `Worker bundle too large: about ${formatBytes(size.gzipBytes)} gzip-compressed (${formatBytes(size.siteGzipBytes)} of it the generated site with ${articles}), ` +
        `over BUNDLE_LIMIT_MIB = ${limits.bundleLimitMib} (MiB, gzip). The bundle holds the routing data of the Worker's documents (an entry for each version of every scope's feeds and pages, and of each scheduled article) and the list of the site's archive files; their bodies are static assets: remove or merge tags and authors, raise FEED_ITEM_LIMIT (fewer archive files), ` +
        'or raise BUNDLE_LIMIT_MIB under [vars] in wrangler.toml (a bigger bundle makes every cold start slower). Nothing was written.',
    );
  }
  if (size.bytes > WORKER_UNCOMPRESSED_LIMIT_MIB * MIB) {
    problems.push(
      `Worker bundle too large: about ${formatBytes(size.bytes)} uncompressed (${formatBytes(size.siteBytes)} of it the generated site with ${articles}), ` +
        `over Cloudflare's ${WORKER_UNCOMPRESSED_LIMIT_MIB} MiB limit for a Worker, so the deploy would be refused: remove, shorten or archive articles elsewhere. Nothing was written.`,
    );
  }
  return problems;
}

const deflateRawAsync = promisify(deflateRaw) as (
  buffer: Uint8Array,
  options?: { dictionary?: Uint8Array },
) => Promise<Buffer>;

/** The most gzip can output for `bytes` of input: zlib's deflateBound, plus the gzip header and trailer. */
function gzipBound(bytes: number): number {
  return bytes + (bytes >> 12) + (bytes >> 14) + (bytes >> 25) + 13 + GZIP_HEADER_TRAILER_BYTES;
}

/** The module as esbuild writes it: non-ASCII characters as `\\uXXXX` escapes. */
function escapeModule(moduleText: string): Buffer {
  return Buffer.from(
    moduleText.replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: everything outside ASCII, U+0000 to U+007F
      /[^\x00-\x7f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    ),
    'latin1',
  );
}

/** Slices compressed in parallel on libuv's threads, so that a large bundle is measured on every core. */
const GZIP_SLICE_BYTES = 4 * MIB;
/** DEFLATE's window: each slice is compressed with the 32 KiB before it as its dictionary. */
const WINDOW_BYTES = 32 * 1024;
/** A gzip member's header (10 bytes) and trailer (CRC-32 and length, 8 bytes). */
const GZIP_HEADER_TRAILER_BYTES = 18;

/**
 * The gzip size (zlib's default level, as wrangler measures) of `bytes`. Large inputs are
 * deflated in 4 MiB slices in parallel (on every core: see BENCHMARKS.md), each with the
 * preceding 32 KiB as its dictionary, so that every slice sees what one stream would: the sum
 * differs from one gzip stream only by block boundaries (checked by the tests).
 */
export async function gzipLength(bytes: Uint8Array): Promise<number> {
  if (bytes.byteLength <= GZIP_SLICE_BYTES) return gzipSync(bytes).byteLength;
  const slices: Promise<Buffer>[] = [];
  for (let at = 0; at < bytes.byteLength; at += GZIP_SLICE_BYTES) {
    const slice = bytes.subarray(at, at + GZIP_SLICE_BYTES);
    slices.push(
      at === 0
        ? deflateRawAsync(slice)
        : deflateRawAsync(slice, {
            dictionary: bytes.subarray(Math.max(0, at - WINDOW_BYTES), at),
          }),
    );
  }
  const sizes = (await Promise.all(slices)).map((slice) => slice.byteLength);
  return sizes.reduce((sum, size) => sum + size, GZIP_HEADER_TRAILER_BYTES);
}
