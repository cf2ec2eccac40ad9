import type { Context, MiddlewareHandler } from 'hono';
import { type AnySite, type Moment, selectVersion } from '../site/lookup.ts';
import { QUERY_PARAMS } from '../site/query.ts';
import type { Lifetime } from '../site/types.ts';
import { type CacheClass, createCacheControl, edgeTtl } from './cache-control.ts';
import { createCacheKey } from './cache-key.ts';
import { isNotModified } from './conditional.ts';
import { fieldsForType, isKeptOn304 } from './headers.ts';

/**
 * Internal header by which a handler tells the caching layers a response's lifetime class
 * (it survives the edge cache); responseHeaders removes it before the answer leaves.
 */
export const LIFETIME_HEADER = 'x-lifetime';

/** Hono environment of the app. */
export interface AppEnv {
  Variables: { moment: Moment };
}

const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

/** Sets the request's moment (its instant in the publication schedule), read once per request. */
export function readMoment(momentOf: (request: Request) => Moment): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('moment', momentOf(c.req.raw));
    await next();
  };
}

/** Answers OPTIONS (CORS preflight) and refuses methods other than GET and HEAD with 405. */
export function allowMethods(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    if (method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          Allow: ALLOWED_METHODS,
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': ALLOWED_METHODS,
          'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since',
          'Access-Control-Max-Age': '86400',
          'X-Content-Type-Options': 'nosniff',
        },
      });
    }
    return new Response(`Method ${method} is not allowed here; use GET or HEAD.\n`, {
      status: 405,
      headers: { Allow: ALLOWED_METHODS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
    });
  };
}

/**
 * Turns a 200 into 304 Not Modified when the request's validators match (RFC 9110 §13.2.2).
 * The 304 keeps the fields §15.4.5 requires (ETag, Cache-Control, Vary) plus Last-Modified
 * and the CORS and safety fields, and has no body.
 */
export function conditionalGet(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    const etag = res.headers.get('etag');
    if (res.status !== 200 || etag === null) return;
    const lastModifiedHeader = res.headers.get('last-modified');
    const lastModified = lastModifiedHeader === null ? 0 : Date.parse(lastModifiedHeader);
    if (!isNotModified(c.req.raw.headers, { etag, lastModified }, c.var.moment.now)) return;
    const headers = new Headers();
    for (const [name, value] of res.headers) {
      if (isKeptOn304(name)) headers.set(name, value);
    }
    replaceResponse(c, new Response(null, { status: 304, headers }));
  };
}

/**
 * Sets the headers that depend on the instant and the kind of response, on fresh and
 * edge-cached responses alike: Cache-Control (clamped before the next scheduled article),
 * Vary, CORS on feeds, nosniff everywhere and the CSP on HTML.
 */
export function responseHeaders(site: AnySite): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const res = withMutableHeaders(c.res);
    const { now, nextChangeAt } = c.var.moment;
    const cacheClass = classify(res.status, res.headers.get(LIFETIME_HEADER));
    res.headers.delete(LIFETIME_HEADER);
    res.headers.set('Cache-Control', cacheClass === undefined ? 'no-store' : createCacheControl(cacheClass, site.config.cache, now, nextChangeAt));
    if (res.body !== null) res.headers.set('Vary', 'Accept-Encoding');
    for (const [name, value] of fieldsForType(res.headers.get('content-type') ?? '', site)) res.headers.set(name, value);
    replaceResponse(c, res);
  };
}

function classify(status: number, lifetime: string | null): CacheClass | undefined {
  if (status === 200) return lifetime === 'feed' || lifetime === 'archive' ? lifetime : 'page';
  if (status === 301) return 'page';
  if (status === 404 || status === 400) return 'error';
  return undefined;
}

/** Marks a response with its lifetime class for the caching layers. */
export function withLifetime(headers: Record<string, string>, lifetime: Lifetime): Record<string, string> {
  return { ...headers, [LIFETIME_HEADER]: lifetime };
}

/**
 * Serves 200 responses for GET and HEAD from the Workers Cache API, keyed by
 * createCacheKey. Misses are stored in waitUntil for the clamped edge lifetime. The answer
 * says `X-Edge-Cache: HIT` or `MISS`, or `BYPASS` when the Cache API is not consulted: a 304
 * decided from the validators in memory, any answer with `EDGE_CACHE = "off"`, or, with
 * `EDGE_CACHE = "computed"`, any answer not computed per request. Where no cache is available
 * (workers.dev) every request is served from memory.
 */
export function edgeCache(site: AnySite): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // `caches.default` exists in workerd only (and does nothing on workers.dev).
    const cache = typeof caches === 'undefined' ? undefined : (caches as CacheStorage & { default?: Cache }).default;
    const { now, edition, nextChangeAt } = c.var.moment;
    const url = new URL(c.req.url);
    const keptParams = url.pathname === '/feed.json' ? QUERY_PARAMS : [];
    const computed = keptParams.some((name) => url.searchParams.has(name));
    const scope = site.config.edgeCache;
    if (scope === 'off' || (scope === 'computed' && !computed) || isAnsweredFromMemory(c, site, url, computed)) {
      // Either the body is in memory anyway (pre-rendered, EDGE_CACHE = "computed"), or the
      // reader's copy is current and conditionalGet turns this into a 304: neither the cache
      // lookup nor a copy of the body for the cache is worth its cost.
      await next();
      replaceResponse(c, withEdgeHeader(c.res, 'BYPASS'));
      return;
    }
    const key = createCacheKey(url, { siteUrl: site.config.siteUrl, buildId: site.buildId, edition, keptParams });
    const hit = cache ? await cache.match(key).catch(() => undefined) : undefined;
    if (hit) {
      replaceResponse(c, withEdgeHeader(hit, 'HIT'));
      return;
    }
    await next();
    const res = withEdgeHeader(c.res, 'MISS');
    replaceResponse(c, res);
    if (!cache || res.status !== 200) return;
    const ttl = edgeTtl(classify(200, res.headers.get(LIFETIME_HEADER)) ?? 'page', site.config.cache, now, nextChangeAt);
    if (ttl <= 0) return;
    const stored = res.clone();
    stored.headers.set('Cache-Control', `public, max-age=${ttl}, s-maxage=${ttl}`);
    stored.headers.delete('X-Edge-Cache');
    const put = cache.put(key, stored).catch((error: unknown) => console.error('edge cache put failed', error));
    try {
      c.executionCtx.waitUntil(put);
    } catch {
      await put; // no execution context (a plain app.fetch call): finish the put before returning
    }
  };
}

/**
 * Whether a conditional request can be answered 304 from the validators in memory: a
 * pre-rendered body (no query that changes it) whose ETag or date the request already holds.
 */
function isAnsweredFromMemory(c: Context<AppEnv>, site: AnySite, url: URL, computed: boolean): boolean {
  const headers = c.req.raw.headers;
  if (computed || (!headers.has('if-none-match') && !headers.has('if-modified-since'))) return false;
  const version = selectVersion(site, url.pathname, c.var.moment.now);
  return version !== undefined && isNotModified(headers, version, c.var.moment.now);
}

function withEdgeHeader(response: Response, value: 'HIT' | 'MISS' | 'BYPASS'): Response {
  const res = withMutableHeaders(response);
  res.headers.set('X-Edge-Cache', value);
  return res;
}

/**
 * The response itself when its headers can be changed (those the routes make), else a copy
 * (those from `cache.match` are immutable): copying a response costs more than its headers.
 */
function withMutableHeaders(response: Response): Response {
  try {
    response.headers.set('X-Content-Type-Options', 'nosniff');
    return response;
  } catch {
    return new Response(response.body, response);
  }
}

/** Replaces the response without Hono merging the old response's headers into it. */
function replaceResponse(c: Context<AppEnv>, res: Response): void {
  c.res = undefined;
  c.res = res;
}
