import type { Bytes } from '../site/chunks.ts';
import type { AnySite, Moment } from '../site/lookup.ts';
import type { BodyType, Lifetime } from '../site/types.ts';
import { createCacheControl, edgeTtl } from './cache-control.ts';
import { createCacheKey } from './cache-key.ts';
import { answerConditional } from './conditional.ts';
import { type Coding, encodingFields } from './content-coding.ts';
import { listSharedFields, NOSNIFF } from './headers.ts';

/** What the edge cache knows of the 200 behind a route before it is made. */
export interface EdgeTarget {
  /** Query parameters that change the answer, kept in the key; all others are dropped. */
  keptParams: readonly string[];
  /** The stored copy's lifetime, and a HIT's Cache-Control now. */
  lifetime: Lifetime;
  /** For the fields a HIT gets from its kind (CORS, CSP). */
  type: BodyType;
}

/** A 200 made on a miss: the answer to send, and what is stored for the next request. */
export interface Made {
  /** The answer to this request (a 304 when its validators match), saying `X-Edge-Cache: MISS`. */
  answer: Response;
  /**
   * The 200's body and own fields (media type, validators, Link, Content-Encoding), and the
   * coding its bytes are in: the answer's coding when they were compressed at build time,
   * identity when the runtime compresses them as it sends them.
   */
  stored: { body: Bytes; fields: readonly [string, string][]; coding: Coding };
}

/**
 * Names the coding of a stored copy's bytes. The copy itself carries no Content-Encoding, so
 * that the Cache API stores and returns its bytes as they are, never decoded or encoded again.
 */
const STORED_CODING = 'X-Stored-Coding';

/** The Workers Cache API in front of the answers that a route makes. */
export interface EdgeCache {
  /**
   * Answers a GET or HEAD from the cache: a stored copy (`X-Edge-Cache: HIT`) with the
   * fields of its kind and Cache-Control for now, or a 304 when the request's validators match
   * it; else makes the answer (`MISS`) and stores the 200 in waitUntil, for the clamped edge
   * lifetime. Without an execution context the store finishes before the answer is returned.
   * `coding` is the answer's (negotiated by the caller, which makes it): each coding has its
   * own entry, so no reader is ever sent a coding it did not ask for.
   */
  serve(
    request: Request,
    moment: Moment,
    ctx: ExecutionContext | undefined,
    target: EdgeTarget,
    coding: Coding,
    make: () => Made | Promise<Made>,
  ): Promise<Response>;
}

/**
 * Creates the edge cache of a site, keyed by createCacheKey (the configured site URL, never
 * the request's Host; the build and the edition). Where no cache exists (outside workerd)
 * every request is made; on workers.dev the Cache API exists but stores nothing.
 */
export function createEdgeCache(site: AnySite): EdgeCache {
  const { siteUrl, cache: lifetimes } = site.config;
  return {
    async serve(request, moment, ctx, target, coding, make) {
      const cache = defaultCache();
      const { now, edition, nextChangeAt } = moment;
      const key = createCacheKey(new URL(request.url), {
        siteUrl,
        buildId: site.buildId,
        edition,
        keptParams: target.keptParams,
        coding,
      });
      const hit = cache ? await cache.match(key).catch(() => undefined) : undefined;
      const answered = hit && answerHit(request, hit, target, moment, site, coding);
      if (answered) return answered;
      const { answer, stored } = await make();
      const ttl = edgeTtl(target.lifetime, lifetimes, now, nextChangeAt);
      if (cache && ttl > 0) {
        const copy = new Response(stored.body, {
          status: 200,
          headers: [
            ...stored.fields.filter(([name]) => name.toLowerCase() !== 'content-encoding'),
            [STORED_CODING, stored.coding],
            NOSNIFF,
            ['Cache-Control', `public, max-age=${ttl}, s-maxage=${ttl}`],
          ],
        });
        const put = cache
          .put(key, copy)
          .catch((error: unknown) => console.error('edge cache put failed', error));
        if (ctx) ctx.waitUntil(put);
        else await put;
      }
      return answer;
    },
  };
}

/**
 * A stored copy as the answer to this request: its fields, with Cache-Control for now (the
 * stored one is the copy's own lifetime in the cache) and those of its kind; a 304 when the
 * request's validators match. The copy is an HTTP message from the cache: its validators are
 * its ETag and Last-Modified fields. Its bytes go out as they are when they are in the
 * request's coding, and are compressed by the runtime when they are identity; a copy in any
 * other coding (never stored under this key) is undefined, a miss.
 */
function answerHit(
  request: Request,
  hit: Response,
  target: EdgeTarget,
  moment: Moment,
  site: AnySite,
  coding: Coding,
): Response | undefined {
  const headers = new Headers(hit.headers);
  const stored = headers.get(STORED_CODING) ?? 'identity';
  if (stored !== 'identity' && stored !== coding) return undefined;
  headers.delete(STORED_CODING);
  for (const [name, value] of encodingFields(coding)) headers.set(name, value);
  headers.set(
    'Cache-Control',
    createCacheControl(target.lifetime, site.config.cache, moment.now, moment.nextChangeAt),
  );
  for (const [name, value] of listSharedFields(target.type, true, 'HIT', site))
    headers.set(name, value);
  const lastModified = hit.headers.get('last-modified');
  const validators = {
    etag: hit.headers.get('etag') ?? '',
    lastModified: lastModified === null ? 0 : Date.parse(lastModified),
  };
  return answerConditional(
    request,
    validators,
    moment.now,
    hit.body,
    { ok: headers },
    stored === 'identity'
      ? { statusText: hit.statusText }
      : { statusText: hit.statusText, encodeBody: 'manual' },
  );
}

/** `caches.default` exists in workerd only (and does nothing on workers.dev). */
function defaultCache(): Cache | undefined {
  return typeof caches === 'undefined'
    ? undefined
    : (caches as CacheStorage & { default?: Cache }).default;
}
