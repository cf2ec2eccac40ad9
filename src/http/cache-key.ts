import type { Coding } from './content-coding.ts';

/**
 * Builds the edge-cache key for a request: the configured site origin (never the request's
 * Host, so a spoofed Host cannot poison the cache), the path, the query parameters that
 * change the response (sorted; tracking and unknown ones dropped), and the build and
 * edition, so a new deploy or a scheduled publication never meets an old entry.
 * @example createCacheKey(new URL('https://x/rss.xml?utm_source=a'), { siteUrl: 'https://news.example', buildId: 'b1', edition: 0 })
 * // 'https://news.example/rss.xml?__build=b1.0'
 */
export function createCacheKey(url: URL, options: CacheKeyOptions): string {
  const kept = new URLSearchParams();
  const allowed = options.keptParams ?? [];
  for (const [name, value] of [...url.searchParams].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (allowed.includes(name)) kept.append(name, value);
  }
  kept.append('__build', `${options.buildId}.${options.edition}`);
  // One entry per coding: a stored br body is only ever found by a request that asked for br.
  if (options.coding !== undefined && options.coding !== 'identity')
    kept.append('__coding', options.coding);
  return `${options.siteUrl}${url.pathname}?${kept}`;
}

/** Inputs of createCacheKey besides the URL. */
export interface CacheKeyOptions {
  siteUrl: string;
  buildId: string;
  edition: number;
  /** Query parameters that change the response; all others are left out of the key. */
  keptParams?: readonly string[];
  /** The coding of the answer (src/http/content-coding.ts); identity adds nothing to the key. */
  coding?: Coding;
}
