import type { Bytes, ChunkReader } from '../site/chunks.ts';
import { type AnySite, bodyOf, type Moment, selectVersion } from '../site/lookup.ts';
import { isFeedQuery } from '../site/query.ts';
import type { Version } from '../site/types.ts';
import { createCacheControl } from './cache-control.ts';
import { answerConditional, type ConditionalFields } from './conditional.ts';
import { type EdgeStatus, filterKeptOn304, listSharedFields, versionFields } from './headers.ts';

/** A site's pre-rendered answers: each version's fields are made once per isolate, at its first request. */
export interface Prebuilt {
  site: AnySite;
  chunks: ChunkReader;
  /** X-Edge-Cache of a 200 from memory (a 304 from memory is always `BYPASS`). */
  okEdge: EdgeStatus;
  prepared: WeakMap<Version, Prepared>;
}

/** A version in force, with everything its answers need but the instant. */
export interface Prepared {
  version: Version;
  body: Bytes;
  /** The version's own fields (media type, validators, Link): what the edge cache stores with the body. */
  own: [string, string][];
  /** Fields of the 200, except Cache-Control. */
  ok: [string, string][];
  /** Fields of the 304, except Cache-Control. */
  notModified: [string, string][];
  /** The complete fields while no publication is due, when Cache-Control is the same at every instant. */
  steady?: ConditionalFields;
}

/**
 * The pre-rendered answers of a site. `okEdge` is what their 200s say in X-Edge-Cache:
 * `BYPASS`, or `MISS` when the edge cache stands in front of them (`EDGE_CACHE = "all"`,
 * where a 200 from memory is sent only when the cache had no copy).
 */
export function createPrebuilt(
  site: AnySite,
  chunks: ChunkReader,
  okEdge: EdgeStatus = 'BYPASS',
): Prebuilt {
  return { site, chunks, okEdge, prepared: new WeakMap() };
}

/**
 * The pre-rendered version of a GET or HEAD (the method is checked before) in force at the
 * moment, prepared; undefined when the router answers instead: a `/feed.json` query, an
 * unknown path or a redirect, an article not yet published.
 */
export function findPrebuilt(
  prebuilt: Prebuilt,
  request: Request,
  moment: Moment,
): Prepared | undefined {
  const { path, query } = splitTarget(request.url);
  if (query !== '' && path === '/feed.json' && isFeedQuery(new URLSearchParams(query)))
    return undefined;
  const version = selectVersion(prebuilt.site, path, moment.now);
  if (version === undefined) return undefined;
  let prepared = prebuilt.prepared.get(version);
  if (prepared === undefined) {
    const own = versionFields(version);
    const ok = [...own, ...listSharedFields(version.type, true, prebuilt.okEdge, prebuilt.site)];
    const notModified = filterKeptOn304([
      ...own,
      ...listSharedFields(version.type, true, 'BYPASS', prebuilt.site),
    ]);
    prepared = { version, body: bodyOf(prebuilt.chunks, version), own, ok, notModified };
    prebuilt.prepared.set(version, prepared);
  }
  return prepared;
}

/**
 * Answers a pre-rendered version from memory: 200 with the body (none for HEAD), or 304 when
 * the request's validators match (RFC 9110 §13.2.2). Nothing is computed per request but
 * Cache-Control, and that only while a scheduled publication is due.
 */
export function answerPrebuilt(
  prebuilt: Prebuilt,
  prepared: Prepared,
  request: Request,
  moment: Moment,
): Response {
  return answerConditional(
    request,
    prepared.version,
    moment.now,
    prepared.body,
    fieldsAt(prebuilt, prepared, moment),
  );
}

function fieldsAt(prebuilt: Prebuilt, prepared: Prepared, moment: Moment): ConditionalFields {
  const { lifetime } = prepared.version;
  const { cache } = prebuilt.site.config;
  if (moment.nextChangeAt === undefined) {
    // With no publication due, a lifetime's Cache-Control is the same at every instant.
    if (prepared.steady === undefined) {
      const cacheControl: [string, string] = [
        'Cache-Control',
        createCacheControl(lifetime, cache, moment.now),
      ];
      prepared.steady = {
        ok: new Headers([...prepared.ok, cacheControl]),
        notModified: new Headers([...prepared.notModified, cacheControl]),
      };
    }
    return prepared.steady;
  }
  const cacheControl: [string, string] = [
    'Cache-Control',
    createCacheControl(lifetime, cache, moment.now, moment.nextChangeAt),
  ];
  return {
    ok: [...prepared.ok, cacheControl],
    notModified: [...prepared.notModified, cacheControl],
  };
}

/**
 * The path and query of an absolute URL as `Request.url` serializes it (so the path is
 * already `URL.pathname`), without parsing the whole URL.
 * @example splitTarget('https://news.example/feed.json?limit=2') // { path: '/feed.json', query: 'limit=2' }
 */
export function splitTarget(url: string): { path: string; query: string } {
  const authority = url.indexOf('//');
  const start = url.indexOf('/', authority < 0 ? 0 : authority + 2);
  if (start < 0) return { path: '/', query: '' };
  let end = url.indexOf('#', start);
  if (end < 0) end = url.length;
  const mark = url.indexOf('?', start);
  if (mark < 0 || mark > end) return { path: url.slice(start, end), query: '' };
  return { path: url.slice(start, mark), query: url.slice(mark + 1, end) };
}
