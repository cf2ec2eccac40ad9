import type { AnySite } from '../site/lookup.ts';
import type { BodyType, Version } from '../site/types.ts';
import { formatHttpDate } from './http-date.ts';

/** Media types of the three feeds; the `feed` cache class and CORS follow from them. */
export const FEED_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
} as const;

export const HTML_TYPE = 'text/html; charset=utf-8';

/** Media type of each kind of pre-rendered body. */
export const CONTENT_TYPES: Record<BodyType, string> = { ...FEED_TYPES, html: HTML_TYPE };

/** The fields that describe a pre-rendered body: media type, validators and its Link, if any. */
export function versionFields(version: Version): [string, string][] {
  const fields: [string, string][] = [['Content-Type', CONTENT_TYPES[version.type]], ['ETag', version.etag]];
  if (version.lastModified > 0) fields.push(['Last-Modified', formatHttpDate(version.lastModified)]);
  if (version.link) fields.push(['Link', version.link]);
  return fields;
}

/** Fields every answer to GET or HEAD carries, fresh, cached or 304, besides its own. */
const SAFETY: [string, string][] = [['X-Content-Type-Options', 'nosniff']];
/** Scripts in browsers may read the feeds (and JSON answers) and their validators. */
const CORS: [string, string][] = [
  ['Access-Control-Allow-Origin', '*'],
  ['Access-Control-Expose-Headers', 'ETag, Last-Modified, X-Edge-Cache'],
];

/**
 * The fields that follow from an answer's media type alone, whatever its status and instant:
 * nosniff everywhere, CORS on feeds and JSON, the Content-Security-Policy on HTML.
 */
export function fieldsForType(contentType: string, site: AnySite): [string, string][] {
  if (contentType.startsWith('text/html')) return [...SAFETY, ['Content-Security-Policy', site.contentSecurityPolicy]];
  if (isFeedOrJson(contentType)) return [...SAFETY, ...CORS];
  return SAFETY;
}

function isFeedOrJson(contentType: string): boolean {
  return Object.values(FEED_TYPES).some((type) => type === contentType) || contentType.startsWith('application/json');
}

/** Fields a 304 keeps from the 200 it stands for (RFC 9110 §15.4.5, plus CORS and safety). */
export function isKeptOn304(name: string): boolean {
  const lower = name.toLowerCase();
  return KEPT_ON_304.has(lower) || lower.startsWith('access-control-');
}

const KEPT_ON_304 = new Set(['etag', 'cache-control', 'vary', 'last-modified', 'expires', 'content-location', 'date', 'x-content-type-options', 'x-edge-cache']);
