import type { ChunkReader, Bytes } from '../site/chunks.ts';
import { type AnySite, bodyOf, type Moment, selectVersion } from '../site/lookup.ts';
import { QUERY_PARAMS } from '../site/query.ts';
import type { Version } from '../site/types.ts';
import { createCacheControl } from './cache-control.ts';
import { isNotModified } from './conditional.ts';
import { CONTENT_TYPES, fieldsForType, isKeptOn304, versionFields } from './headers.ts';

/** Answers a request from the pre-rendered bodies, or undefined when the full app must. */
export type PrebuiltServer = (request: Request, moment: Moment) => Response | undefined;

/** A version's answer with everything that does not depend on the instant, made once per isolate. */
interface Prepared {
  body: Bytes;
  /** Fields of the 200, except Cache-Control. */
  ok: [string, string][];
  /** Fields of the 304, except Cache-Control. */
  notModified: [string, string][];
  /** The complete fields while no publication is due, when Cache-Control is the same at every instant. */
  steady?: { ok: Headers; notModified: Headers };
}

/**
 * The isolate layer: GET and HEAD of a path with a pre-rendered version in force, answered
 * from memory with nothing computed per request but Cache-Control (and that only while a
 * scheduled publication is due): 200 with the body, or 304 when the request's validators
 * match (RFC 9110 §13.2.2). Answers carry `X-Edge-Cache: BYPASS`, since the Cache API is
 * not consulted. Everything else (other methods, unknown paths and redirects, `/feed.json`
 * queries) is left to the Hono app; the answers are the ones its middleware would give.
 */
export function createPrebuiltServer(site: AnySite, chunks: ChunkReader): PrebuiltServer {
  const prepared = new WeakMap<Version, Prepared>();
  const prepare = (version: Version): Prepared => {
    let answer = prepared.get(version);
    if (answer === undefined) {
      const ok: [string, string][] = [
        ...versionFields(version),
        ['Vary', 'Accept-Encoding'],
        ...fieldsForType(CONTENT_TYPES[version.type], site),
        ['X-Edge-Cache', 'BYPASS'],
      ];
      answer = { body: bodyOf(chunks, version), ok, notModified: ok.filter(([name]) => isKeptOn304(name)) };
      prepared.set(version, answer);
    }
    return answer;
  };
  const fieldsAt = (version: Version, answer: Prepared, moment: Moment): { ok: HeadersInit; notModified: HeadersInit } => {
    if (moment.nextChangeAt === undefined) {
      // With no publication due, a lifetime's Cache-Control is the same at every instant.
      if (answer.steady === undefined) {
        const cacheControl: [string, string] = ['Cache-Control', createCacheControl(version.lifetime, site.config.cache, moment.now)];
        answer.steady = { ok: new Headers([...answer.ok, cacheControl]), notModified: new Headers([...answer.notModified, cacheControl]) };
      }
      return answer.steady;
    }
    const cacheControl: [string, string] = ['Cache-Control', createCacheControl(version.lifetime, site.config.cache, moment.now, moment.nextChangeAt)];
    return { ok: [...answer.ok, cacheControl], notModified: [...answer.notModified, cacheControl] };
  };

  return (request, moment) => {
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    const { path, query } = splitTarget(request.url);
    if (query !== '' && path === '/feed.json' && isFeedQuery(query)) return undefined;
    const version = selectVersion(site, path, moment.now);
    if (version === undefined) return undefined;
    const answer = prepare(version);
    const fields = fieldsAt(version, answer, moment);
    if (isNotModified(request.headers, version, moment.now)) return new Response(null, { status: 304, headers: fields.notModified });
    return new Response(method === 'HEAD' ? null : answer.body, { status: 200, headers: fields.ok });
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

/** Whether a `/feed.json` query string names a parameter that changes the answer. */
function isFeedQuery(query: string): boolean {
  const params = new URLSearchParams(query);
  return QUERY_PARAMS.some((name) => params.has(name));
}
