import { ConfigError, type RawVars, readNumberVar } from './config.ts';
import type { Problem } from './problem.ts';

/** Size limits the build enforces, from wrangler.toml `[vars]`. */
export interface BuildLimits {
  /** Largest article file, in bytes (`MAX_ARTICLE_BYTES`). */
  maxArticleBytes: number;
  /** Largest gzip-compressed Worker bundle, in MiB (`BUNDLE_LIMIT_MIB`). */
  bundleLimitMib: number;
}

/** Default `MAX_ARTICLE_BYTES`: 1 MiB, some hundred times a long news article. */
export const DEFAULT_MAX_ARTICLE_BYTES = 1024 * 1024;
/**
 * Default `BUNDLE_LIMIT_MIB`, a budget of our own (Cloudflare's gzip limits are gone): the
 * bundle holds only routing data, the bodies being static assets, so a site of 20,000 articles
 * with 10 tags and 5 authors needs well under a tenth of it; a bundle that grows past it has
 * gained something it should not carry, and every cold start would pay for it.
 */
export const DEFAULT_BUNDLE_LIMIT_MIB = 3;
/**
 * Cloudflare's limit on a Worker's uncompressed size, on every plan (wrangler's bundle reporter
 * compares against it; the compressed 3 MiB Free / 10 MiB Paid limits were removed in 2026).
 */
export const WORKER_UNCOMPRESSED_LIMIT_MIB = 64;
/** Bytes in a mebibyte. */
export const MIB = 1024 * 1024;

/**
 * Reads `MAX_ARTICLE_BYTES` (whole bytes, 1 KiB to 64 MiB) and `BUNDLE_LIMIT_MIB` (MiB, more
 * than 0 and at most 64) from `[vars]`, with their defaults when absent.
 * @throws ConfigError naming the variable and the fix.
 */
export function parseBuildLimits(vars: RawVars): BuildLimits {
  const problems: string[] = [];
  const read = (
    name: string,
    fallback: number,
    range: { min: number; max: number; integer: boolean },
    what: string,
  ): number =>
    readNumberVar(vars, name, fallback, range, (value) => {
      problems.push(
        `${name} must be ${what}, got ${JSON.stringify(value)}: fix it under [vars] in wrangler.toml or remove it for the default.`,
      );
    });
  const limits: BuildLimits = {
    maxArticleBytes: read(
      'MAX_ARTICLE_BYTES',
      DEFAULT_MAX_ARTICLE_BYTES,
      { min: 1024, max: 64 * MIB, integer: true },
      `a whole number of bytes from 1024 to ${64 * MIB}`,
    ),
    bundleLimitMib: read(
      'BUNDLE_LIMIT_MIB',
      DEFAULT_BUNDLE_LIMIT_MIB,
      { min: 0.001, max: WORKER_UNCOMPRESSED_LIMIT_MIB, integer: false },
      `a number of MiB above 0 and at most ${WORKER_UNCOMPRESSED_LIMIT_MIB}, such as "3" or "10"`,
    ),
  };
  if (problems.length > 0) throw ConfigError.list(problems);
  return limits;
}

/**
 * Refuses an article file larger than `MAX_ARTICLE_BYTES`, before it is read or parsed.
 * @example checkArticleSize('articles/x.md', 2_000_000, limits)
 * // { file: 'articles/x.md', line: 1, field: 'size', message: '1.91 MiB (2000000 bytes) is over …' }
 */
export function checkArticleSize(
  file: string,
  size: number,
  limits: BuildLimits,
): Problem | undefined {
  if (size <= limits.maxArticleBytes) return undefined;
  return {
    file,
    line: 1,
    field: 'size',
    message:
      `${formatBytes(size)} (${size} bytes) is over the ${formatBytes(limits.maxArticleBytes)} limit (MAX_ARTICLE_BYTES = ${limits.maxArticleBytes}): ` +
      'split it into several articles or link large media by URL instead of embedding it, or raise MAX_ARTICLE_BYTES under [vars] in wrangler.toml',
  };
}

/**
 * Formats a byte count for people: `512 bytes`, `12.3 KiB`, `3.14 MiB` in the build's
 * messages; the `table` variant, for the benchmark's and tools' columns, is shorter: `512 B`,
 * `12.3 KiB`, `3.1 MiB`.
 */
export function formatBytes(bytes: number, style: 'message' | 'table' = 'message'): string {
  // By size, whatever the sign: the tools print differences too.
  const size = Math.abs(bytes);
  if (size < 1024) return `${bytes} ${style === 'table' ? 'B' : 'bytes'}`;
  if (size < MIB) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / MIB).toFixed(style === 'table' ? 1 : 2)} MiB`;
}
