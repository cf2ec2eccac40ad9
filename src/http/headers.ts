import type { AnySite } from '../site/lookup.ts';
import type { BodyType, Version } from '../site/types.ts';
import { formatHttpDate } from './http-date.ts';

/** Media type of each kind of pre-rendered body (and of query results, `json`). */
export const CONTENT_TYPES: Record<BodyType, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/**
 * What an answer's body is, as far as its fields go: a kind of pre-rendered body (`json` also
 * for JSON error bodies, which scripts read the same way), plain text, or no body at all.
 */
export type BodyKind = BodyType | 'text' | 'none';

/**
 * What the Workers Cache API did for an answer, as `X-Edge-Cache` says: answered it (`HIT`),
 * stands in front of its route but did not answer it (`MISS`), or was not consulted (`BYPASS`).
 */
export type EdgeStatus = 'HIT' | 'MISS' | 'BYPASS';

/** A representation's own fields: media type, validators and its Link (WebSub), if any. */
export function versionFields(
  version: Pick<Version, 'type' | 'etag' | 'lastModified' | 'link'>,
): [string, string][] {
  const fields: [string, string][] = [
    ['Content-Type', CONTENT_TYPES[version.type]],
    ['ETag', version.etag],
  ];
  if (version.lastModified > 0)
    fields.push(['Last-Modified', formatHttpDate(version.lastModified)]);
  if (version.link) fields.push(['Link', version.link]);
  return fields;
}

/** Sent with every answer to GET or HEAD, fresh, cached or 304. */
export const NOSNIFF: [string, string] = ['X-Content-Type-Options', 'nosniff'];
/** Scripts in browsers may read the feeds (and JSON answers) and their validators. */
export const CORS_FIELDS: readonly [string, string][] = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Expose-Headers', 'ETag, Last-Modified, X-Edge-Cache'],
];
/**
 * Every body comes in the coding the request's Accept-Encoding asks for (src/http/content-coding.ts),
 * so every answer with one says so, identity included (RFC 9110 §12.5.5): a shared cache must
 * not hand a br answer to a reader that asked for none.
 */
const VARY: [string, string] = ['Vary', 'Accept-Encoding'];

/**
 * The fields every answer to a GET or HEAD carries besides its own and Cache-Control: Vary
 * when it has a body, nosniff, CORS on feeds and JSON, the Content-Security-Policy on HTML
 * pages, and X-Edge-Cache. The one list of them: answers from memory, the router's, query
 * results and edge-cache hits all take theirs from here.
 */
export function listSharedFields(
  kind: BodyKind,
  hasBody: boolean,
  edge: EdgeStatus,
  site: AnySite,
): [string, string][] {
  const fields: [string, string][] = hasBody ? [VARY, NOSNIFF] : [NOSNIFF];
  if (kind === 'html') fields.push(['Content-Security-Policy', site.contentSecurityPolicy]);
  else if (kind === 'rss' || kind === 'atom' || kind === 'json') fields.push(...CORS_FIELDS);
  fields.push(['X-Edge-Cache', edge]);
  return fields;
}

/** The fields of a 200 that its 304 keeps (RFC 9110 §15.4.5, plus CORS and safety). */
export function filterKeptOn304(fields: Iterable<[string, string]>): [string, string][] {
  const kept: [string, string][] = [];
  for (const field of fields) if (isKeptOn304(field[0])) kept.push(field);
  return kept;
}

function isKeptOn304(name: string): boolean {
  const lower = name.toLowerCase();
  return KEPT_ON_304.has(lower) || lower.startsWith('access-control-');
}

const KEPT_ON_304 = new Set([
  'etag',
  'cache-control',
  'vary',
  'last-modified',
  'expires',
  'content-location',
  'date',
  'x-content-type-options',
  'x-edge-cache',
]);
