import { type Bytes, type ChunkReader, encodeUtf8, joinBytes } from './chunks.ts';
import type { AnySite } from './lookup.ts';
import { parseRfc3339 } from './rfc3339.ts';
import { slugify } from './slug.ts';
import type { AssetFile, QueryItem } from './types.ts';

/** Query parameters of `/feed.json` that change the response; all others are ignored. */
export const QUERY_PARAMS = ['limit', 'since', 'tag', 'author'] as const;

/** A validated JSON feed query. */
export interface FeedQuery {
  limit: number;
  /** Items published or updated after this instant (epoch ms). */
  since?: number;
  /** Tag slugs; an item matches when it has any of them. */
  tags: string[];
  /** Author slugs; an item matches when any of them wrote it (and, with tags too, it has one of those). */
  authors: string[];
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

/**
 * Validates `limit` (1 to the configured maximum), `since` (an RFC 3339 date-time), `tag` and
 * `author` (each repeatable; a name or a slug) for `/feed.json`. Returns undefined when none is
 * given, which means the pre-rendered default feed. Only tags and authors of visible articles
 * are known.
 */
export function parseFeedQuery(
  params: URLSearchParams,
  site: AnySite,
  items: readonly QueryItem[],
  now: number,
): { query?: FeedQuery; error?: QueryError } {
  if (!isFeedQuery(params)) return {};
  const { feedItemLimit, queryLimitMax } = site.config;
  for (const name of ['limit', 'since'] as const) {
    if (params.getAll(name).length > 1)
      return { error: { parameter: name, message: `${name} may be given once` } };
  }
  let limit = Math.min(feedItemLimit, queryLimitMax);
  const limitText = params.get('limit');
  if (limitText !== null) {
    if (
      !/^\d{1,6}$/.test(limitText) ||
      Number(limitText) < 1 ||
      Number(limitText) > queryLimitMax
    ) {
      return {
        error: {
          parameter: 'limit',
          message: `limit must be a whole number from 1 to ${queryLimitMax}, got ${JSON.stringify(limitText.slice(0, 100))}`,
        },
      };
    }
    limit = Number(limitText);
  }
  const query: FeedQuery = { limit, tags: [], authors: [] };
  const sinceText = params.get('since');
  if (sinceText !== null) {
    const since = parseRfc3339(sinceText);
    if (since === undefined) {
      return {
        error: {
          parameter: 'since',
          message: `since must be an RFC 3339 date-time such as 2026-11-27T09:00:00Z, got ${JSON.stringify(sinceText.slice(0, 100))}`,
        },
      };
    }
    query.since = since;
  }
  const facets = [
    {
      parameter: 'tag',
      slugs: query.tags,
      of: (item: QueryItem) => item.tags,
      missing: (name: string) => `no articles are tagged ${name}`,
    },
    {
      parameter: 'author',
      slugs: query.authors,
      of: (item: QueryItem) => item.authors,
      missing: (name: string) => `no author named ${name} has published articles`,
    },
  ] as const;
  for (const { parameter, slugs, of, missing } of facets) {
    const visible = params.has(parameter) ? visibleSlugsAt(items, now, of) : new Set<string>();
    for (const name of params.getAll(parameter)) {
      const slug = slugify(name);
      if (!visible.has(slug))
        return { error: { parameter, message: missing(JSON.stringify(name.slice(0, 100))) } };
      if (!slugs.includes(slug)) slugs.push(slug);
    }
  }
  return { query };
}

/** Reads a file of the static assets by URL path (the `ASSETS` binding in the Worker). */
export type ArchiveReader = (path: string) => Promise<Bytes>;

/** Archive files read at once by one query (a Worker may hold six connections open at a time). */
const READ_CONCURRENCY = 6;

/**
 * Renders the JSON Feed for a query at `now`: the newest matching visible items, as UTF-8.
 * Items in asset files (settled archives, and for a site from the generated module the
 * Worker's own `feed.json` bodies) are sliced out of those `feed.json` files, each file read
 * once however many of its items match.
 */
export async function renderFeedQuery(
  site: AnySite,
  chunks: ChunkReader,
  items: readonly QueryItem[],
  query: FeedQuery,
  now: number,
  readArchive?: ArchiveReader,
): Promise<{ body: Bytes; lastModified: number }> {
  const { head, separator, tail, files } = site.query;
  const matched: QueryItem[] = [];
  let lastModified = 0;
  for (const item of items) {
    if (matched.length >= query.limit) break;
    if (item.publishedAt > now) continue;
    if (
      query.since !== undefined &&
      item.publishedAt <= query.since &&
      item.changedAt <= query.since
    )
      continue;
    if (query.tags.length > 0 && !item.tags.some((t) => query.tags.includes(t))) continue;
    if (query.authors.length > 0 && !item.authors.some((a) => query.authors.includes(a))) continue;
    matched.push(item);
    lastModified = Math.max(lastModified, item.changedAt);
  }
  const wanted = [
    ...new Set(matched.flatMap((item) => (typeof item.json === 'number' ? [] : [item.json[0]]))),
  ];
  const read = new Map<number, Bytes>();
  if (wanted.length > 0) {
    if (!readArchive)
      throw new Error('the query needs archive files, but the Worker has no ASSETS binding');
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < wanted.length; i = next++) {
        const index = wanted[i] as number;
        const file = files[index];
        if (!file) throw new Error(`internal error: the query index names archive file ${index}`);
        const bytes = await readArchive(file.path);
        // Another build's file (dev serves a new folder a moment before the new module).
        if (bytes.byteLength !== file.bytes)
          throw new Error(
            `${file.path} has ${bytes.byteLength} bytes, not the ${file.bytes} this build wrote`,
          );
        read.set(index, bytes);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, wanted.length) }, worker));
  }
  const separatorBytes = encodeUtf8(separator);
  const parts: Bytes[] = [chunks.bytes(head)];
  matched.forEach((item, i) => {
    if (i > 0) parts.push(separatorBytes);
    if (typeof item.json === 'number') parts.push(chunks.bytes(item.json));
    else {
      const [file, start, end] = item.json;
      parts.push((read.get(file) as Bytes).subarray(start, end));
    }
  });
  parts.push(chunks.bytes(tail));
  return { body: joinBytes(parts), lastModified };
}

/**
 * The query index: as the build made it, or (for a site from the generated module) read from
 * its file in the static assets and parsed once per isolate.
 */
export function loadQueryItems(
  site: AnySite,
  readAsset?: ArchiveReader,
): readonly QueryItem[] | Promise<readonly QueryItem[]> {
  const { items } = site.query;
  if (Array.isArray(items)) return items;
  let parsed = parsedItems.get(site.query);
  if (parsed === undefined) {
    if (!readAsset)
      throw new Error('the query needs its index file, but the Worker has no ASSETS binding');
    const file = items as AssetFile;
    parsed = readAsset(file.path).then((bytes) => {
      if (bytes.byteLength !== file.bytes)
        throw new Error(
          `${file.path} has ${bytes.byteLength} bytes, not the ${file.bytes} this build wrote`,
        );
      return JSON.parse(new TextDecoder().decode(bytes)) as QueryItem[];
    });
    // A failed read is tried again by the next query.
    parsed.catch(() => parsedItems.delete(site.query));
    parsedItems.set(site.query, parsed);
  }
  return parsed;
}

const parsedItems = new WeakMap<object, Promise<QueryItem[]>>();

function visibleSlugsAt(
  items: readonly QueryItem[],
  now: number,
  of: (item: QueryItem) => readonly string[],
): Set<string> {
  const slugs = new Set<string>();
  for (const item of items)
    if (item.publishedAt <= now) for (const slug of of(item)) slugs.add(slug);
  return slugs;
}
