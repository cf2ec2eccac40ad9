import type { CacheConfig } from '../site/types.ts';

/** Which lifetimes a response gets. */
export type CacheClass = 'feed' | 'page' | 'archive' | 'error';

/** Lifetime of 404 and other error answers, in seconds, before clamping. */
const ERROR_MAX_AGE = 60;

/**
 * Builds `Cache-Control` for a response. Every lifetime, stale-while-revalidate included,
 * is clamped to the seconds left before the next scheduled article appears, so that no
 * reader, browser or shared cache keeps an answer past that instant.
 */
export function createCacheControl(
  cacheClass: CacheClass,
  config: CacheConfig,
  now: number,
  nextChangeAt?: number,
): string {
  const remaining =
    nextChangeAt === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, Math.floor((nextChangeAt - now) / 1000));
  const [maxAge, sMaxAge] = lifetimesOf(cacheClass, config);
  const browser = Math.min(maxAge, remaining);
  const shared = Math.min(sMaxAge, remaining);
  const swr = Math.min(config.staleWhileRevalidate, remaining - Math.max(browser, shared));
  return `public, max-age=${browser}, s-maxage=${shared}${swr > 0 ? `, stale-while-revalidate=${swr}` : ''}`;
}

/** The edge-cache lifetime for a stored copy: the shared lifetime, clamped the same way. */
export function edgeTtl(
  cacheClass: CacheClass,
  config: CacheConfig,
  now: number,
  nextChangeAt?: number,
): number {
  const remaining =
    nextChangeAt === undefined
      ? Number.POSITIVE_INFINITY
      : Math.max(0, Math.floor((nextChangeAt - now) / 1000));
  return Math.min(lifetimesOf(cacheClass, config)[1], remaining);
}

function lifetimesOf(
  cacheClass: CacheClass,
  config: CacheConfig,
): [browser: number, shared: number] {
  switch (cacheClass) {
    case 'feed':
      return [config.feedMaxAge, config.feedSMaxAge];
    case 'page':
      return [config.pageMaxAge, config.pageSMaxAge];
    case 'archive':
      return [config.archiveMaxAge, config.archiveMaxAge];
    case 'error':
      return [ERROR_MAX_AGE, ERROR_MAX_AGE];
  }
}
