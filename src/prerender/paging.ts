import type { PagingLinks } from '../render/feed-document.ts';

/** One document of a paged feed: where it is, what it holds, and how it links to the others. */
export interface PagedDocument<T> {
  /** Its absolute location, ending in `/`; each format appends its file name. */
  location: string;
  /** Its archive page number, counted from the oldest; absent for the subscription document. */
  page?: number;
  /** Its items, newest first. */
  items: T[];
  /** RFC 5005 §3 links of its feeds. */
  paging: PagingLinks;
  /** `archive` once its bytes can no longer change; `feed` while they still can. */
  lifetime: 'feed' | 'archive';
  /** Its HTML page's "Newer articles" and "Older articles" links. */
  newer?: string;
  older?: string;
}

/**
 * Plans the documents of one feed (the site's, a tag's or an author's) holding `items`, newest
 * first, `size` to an archive page, with `main` (ending in `/`) as the subscription document.
 * Archive pages are counted from the oldest item: page k holds chronological items
 * (k−1)N+1 … kN, and the subscription document everything newer than the newest page (N to
 * 2N−1 items once there are N or more). So no item is in two documents, and a page holds the
 * same items from the day it appears.
 * @example planPages(items46, 20, 'https://news.example/') // the feed with items 46–21, then /archive/1/ with 20–1
 */
export function planPages<T>(items: readonly T[], size: number, main: string): PagedDocument<T>[] {
  const chrono = [...items].reverse();
  // A page appears only once a full page is left over for the subscription document.
  const pages = Math.max(0, Math.floor(items.length / size) - 1);
  const archive = (k: number): string => `${main}archive/${k}/`;
  const documents: PagedDocument<T>[] = [
    {
      location: main,
      items: items.slice(0, items.length - pages * size),
      paging: {
        first: main,
        ...(pages > 0 ? { next: archive(pages) } : {}),
        last: pages > 0 ? archive(1) : main,
      },
      lifetime: 'feed',
      ...(pages > 0 ? { older: archive(pages) } : {}),
    },
  ];
  for (let k = 1; k <= pages; k++) {
    documents.push({
      location: archive(k),
      page: k,
      items: chrono.slice((k - 1) * size, k * size).reverse(),
      paging: {
        first: main,
        ...(k > 1 ? { next: archive(k - 1) } : {}),
        previous: k < pages ? archive(k + 1) : main,
        last: archive(1),
      },
      // Its items never change, but the newest page's `previous` (and its page's "Newer
      // articles") moves from the subscription document to page k+1 when that appears:
      // only a page with an archive page above it has bytes that can no longer change.
      lifetime: k < pages ? 'archive' : 'feed',
      newer: k < pages ? archive(k + 1) : main,
      ...(k > 1 ? { older: archive(k - 1) } : {}),
    });
  }
  return documents;
}
