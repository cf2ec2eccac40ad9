import { slugifyTag } from './tag-slug.ts';
import { type Bytes, type ChunkReader, encodeUtf8, joinBytes } from './chunks.ts';
import type { AnySite } from './lookup.ts';

/** Query parameters of `/feed.json` that change the response; all others are ignored. */
export const QUERY_PARAMS = ['limit', 'since', 'tag'] as const;

/** A validated JSON feed query. */
export interface FeedQuery {
  limit: number;
  /** Items published or updated after this instant (epoch ms). */
  since?: number;
  /** Tag slugs; an item matches when it has any of them. */
  tags: string[];
}

/** A parameter that cannot be used, and why. */
export interface QueryError {
  parameter: string;
  message: string;
}

/** Whether `/feed.json` parameters ask for a query (any parameter that changes the answer), rather than the pre-rendered feed. */
export function isFeedQuery(params: URLSearchParams): boolean {
  return QUERY_PARAMS.some((name) => params.has(name));
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Validates `limit` (1 to the configured maximum), `since` (an RFC 3339 date-time) and `tag`
 * (repeatable; a tag's name or slug) for `/feed.json`. Returns undefined when none is given,
 * which means the pre-rendered default feed. Only tags of visible articles are known.
 */
export function parseFeedQuery(params: URLSearchParams, site: AnySite, now: number): { query?: FeedQuery; error?: QueryError } {
  if (!isFeedQuery(params)) return {};
  const { feedItemLimit, queryLimitMax } = site.config;
  for (const name of ['limit', 'since'] as const) {
    if (params.getAll(name).length > 1) return { error: { parameter: name, message: `${name} may be given once` } };
  }
  let limit = Math.min(feedItemLimit, queryLimitMax);
  const limitText = params.get('limit');
  if (limitText !== null) {
    if (!/^\d{1,6}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > queryLimitMax) {
      return { error: { parameter: 'limit', message: `limit must be a whole number from 1 to ${queryLimitMax}, got ${JSON.stringify(limitText.slice(0, 100))}` } };
    }
    limit = Number(limitText);
  }
  const query: FeedQuery = { limit, tags: [] };
  const sinceText = params.get('since');
  if (sinceText !== null) {
    const since = parseRfc3339(sinceText);
    if (since === undefined) {
      return { error: { parameter: 'since', message: `since must be an RFC 3339 date-time such as 2026-11-27T09:00:00Z, got ${JSON.stringify(sinceText.slice(0, 100))}` } };
    }
    query.since = since;
  }
  const visibleTags = params.has('tag') ? visibleTagsAt(site, now) : new Set<string>();
  for (const name of params.getAll('tag')) {
    const slug = slugifyTag(name);
    if (!visibleTags.has(slug)) return { error: { parameter: 'tag', message: `no articles are tagged ${JSON.stringify(name.slice(0, 100))}` } };
    if (!query.tags.includes(slug)) query.tags.push(slug);
  }
  return { query };
}

/** Renders the JSON Feed for a query at `now`: the newest matching visible items, as UTF-8. */
export function renderFeedQuery(site: AnySite, chunks: ChunkReader, query: FeedQuery, now: number): { body: Bytes; lastModified: number } {
  const { items, head, separator, tail } = site.query;
  const separatorBytes = encodeUtf8(separator);
  const parts: Bytes[] = [chunks.bytes(head)];
  let count = 0;
  let lastModified = 0;
  for (const item of items) {
    if (count >= query.limit) break;
    if (item.publishedAt > now) continue;
    if (query.since !== undefined && item.publishedAt <= query.since && item.changedAt <= query.since) continue;
    if (query.tags.length > 0 && !item.tags.some((t) => query.tags.includes(t))) continue;
    if (count > 0) parts.push(separatorBytes);
    parts.push(chunks.bytes(item.json));
    count++;
    lastModified = Math.max(lastModified, item.changedAt);
  }
  parts.push(chunks.bytes(tail));
  return { body: joinBytes(parts), lastModified };
}

function visibleTagsAt(site: AnySite, now: number): Set<string> {
  const tags = new Set<string>();
  for (const item of site.query.items) if (item.publishedAt <= now) for (const t of item.tags) tags.add(t);
  return tags;
}

function parseRfc3339(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  if (mo === undefined || d === undefined || h === undefined || mi === undefined || s === undefined || y === undefined) return undefined;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 60) return undefined;
  const value = Date.parse(text.toUpperCase());
  return Number.isNaN(value) ? undefined : value;
}
