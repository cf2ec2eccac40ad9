// RFC 5005 paging: the plan of one feed's documents (planPages) directly, then the built site
// over every list length from empty to a little over three pages: following
// `next` from a subscription document gives each item exactly once, newest first, in RSS, Atom,
// JSON Feed and the HTML list pages; and an archive page, once it exists, keeps its bytes as
// more articles arrive, but for the one link the newest page must change when a newer one appears.
import { beforeAll, describe, expect, it } from 'vitest';
import { planPages } from '../../../src/prerender/paging.ts';
import type { BuiltSite } from '../../../src/site/types.ts';
import type { ArticleFixture } from '../../support/fixtures.ts';
import {
  ATOM_NS,
  buildFixtureSite,
  childElements,
  isAsset,
  parseXmlStrict,
  requireChild,
  servedAt,
} from '../support.ts';

/** Items per page: small, so that a few articles make several pages. */
const N = 3;
/** List lengths whose chains are followed: 0 … 3N+1. */
const LENGTHS = Array.from({ length: 3 * N + 2 }, (_, i) => i);
/** Articles added after each length to check that existing pages keep their bytes. */
const GROWTH = 2 * N;
const BASE = 'https://news.example';
const SITE_ID = 'tag:news.example,2026:';

/** Article i (1-based) is dated day i: higher numbers are newer. Odd ones are also tagged "odd". */
function articlesUpTo(count: number): ArticleFixture[] {
  return Array.from({ length: count }, (_, index) => {
    const i = index + 1;
    const n = String(i).padStart(2, '0');
    return {
      name: `item-${n}.md`,
      frontMatter: {
        title: `Item ${n}`,
        date: `2024-01-${n}T08:00:00Z`,
        tags: i % 2 === 1 ? ['every', 'odd'] : ['every'],
      },
      body: `Item ${n} has a paragraph of body text long enough to be a summary of its own.`,
    };
  });
}

/** Ids of the scope's items, newest first, as its subscription document must chain them. */
function expectedIds(count: number, scope: string): string[] {
  const numbers = Array.from({ length: count }, (_, k) => count - k).filter(
    (i) => scope !== '/tags/odd' || i % 2 === 1,
  );
  return numbers.map((i) => `${SITE_ID}item-${String(i).padStart(2, '0')}`);
}

type Format = 'rss' | 'atom' | 'json';
const FILES: Record<Format, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

/** A feed document as a reader parses it. */
interface Document {
  location: string;
  ids: string[];
  /** RFC 5005 relations as feed locations (base URL ending in `/`); JSON Feed has only `next`. */
  links: Partial<Record<'first' | 'next' | 'previous' | 'last', string>>;
}

function bodyAt(site: BuiltSite, location: string, file: string): string {
  const served = servedAt(site, location.slice(BASE.length) + file);
  if (!served) throw new Error(`nothing served at ${location}${file}`);
  return served.body;
}

/** Parses one document with a strict XML parser or JSON.parse; links lose their file name. */
function readDocument(site: BuiltSite, format: Format, location: string): Document {
  const body = bodyAt(site, location, FILES[format]);
  const base = (href: string | undefined | null): string | undefined => {
    if (href === undefined || href === null) return undefined;
    expect(href.endsWith(FILES[format]), `${href} is a ${format} document`).toBe(true);
    return href.slice(0, -FILES[format].length);
  };
  if (format === 'json') {
    const feed = JSON.parse(body) as { next_url?: string; items: { id: string }[] };
    const next = base(feed.next_url);
    return {
      location,
      ids: feed.items.map((i) => i.id),
      links: next === undefined ? {} : { next },
    };
  }
  const doc = parseXmlStrict(body);
  const [root, itemName, idName, linkNs] =
    format === 'rss'
      ? ([requireChild(requireChild(doc, 'rss'), 'channel'), 'item', 'guid', ATOM_NS] as const)
      : ([requireChild(doc, 'feed', ATOM_NS), 'entry', 'id', ATOM_NS] as const);
  const items =
    format === 'rss' ? childElements(root, itemName) : childElements(root, itemName, ATOM_NS);
  const ids = items.map(
    (item) =>
      (format === 'rss' ? childElements(item, idName) : childElements(item, idName, ATOM_NS))[0]
        ?.textContent ?? '',
  );
  const links: Document['links'] = {};
  for (const link of childElements(root, 'link', linkNs)) {
    const rel = link.getAttribute('rel');
    if (rel === 'first' || rel === 'next' || rel === 'previous' || rel === 'last') {
      expect(links[rel], `one ${rel} link in ${location}`).toBeUndefined();
      const href = base(link.getAttribute('href'));
      if (href !== undefined) links[rel] = href;
    }
  }
  return { location, ids, links };
}

/** Follows `next` from the subscription document to the end, failing on a loop. */
function followNext(site: BuiltSite, format: Format, subscription: string): Document[] {
  const chain: Document[] = [];
  for (let location: string | undefined = subscription; location !== undefined; ) {
    expect(
      chain.map((d) => d.location),
      `loop at ${location}`,
    ).not.toContain(location);
    const doc = readDocument(site, format, location);
    chain.push(doc);
    location = doc.links.next;
  }
  return chain;
}

/** The HTML list pages from the scope's page through "Older articles": each page's article links. */
function followOlder(
  site: BuiltSite,
  subscription: string,
): { location: string; ids: string[]; newer?: string }[] {
  const chain: { location: string; ids: string[]; newer?: string }[] = [];
  for (let location: string | undefined = subscription; location !== undefined; ) {
    expect(
      chain.map((d) => d.location),
      `loop at ${location}`,
    ).not.toContain(location);
    const html = bodyAt(site, location, '');
    const ids = [
      ...html.matchAll(/<h2><a href="https:\/\/news\.example\/articles\/([^"]+)">/g),
    ].map((m) => `${SITE_ID}${m[1]}`);
    const newer = /<a rel="prev" href="([^"]+)">Newer articles<\/a>/.exec(html)?.[1];
    chain.push({ location, ids, ...(newer ? { newer } : {}) });
    location = /<a rel="next" href="([^"]+)">Older articles<\/a>/.exec(html)?.[1];
  }
  return chain;
}

/** Archive pages a list of this length has: max(0, floor(L/N) − 1). */
function pageCount(length: number): number {
  return Math.max(0, Math.floor(length / N) - 1);
}

const sites = new Map<number, BuiltSite>();

beforeAll(async () => {
  for (let count = 0; count <= Math.max(...LENGTHS) + GROWTH; count++) {
    sites.set(
      count,
      await buildFixtureSite(articlesUpTo(count), { vars: { FEED_ITEM_LIMIT: String(N) } }),
    );
  }
}, 120_000);

function siteOf(count: number): BuiltSite {
  const site = sites.get(count);
  if (!site) throw new Error(`no site with ${count} articles`);
  return site;
}

/** Scopes whose lists have different lengths: the site (L items), a tag on all, a tag on half. */
const SCOPES = ['', '/tags/every', '/tags/odd'] as const;
/** How many items a scope lists when the site has `count` articles. */
const lengthIn = (scope: string, count: number): number =>
  scope === '/tags/odd' ? Math.ceil(count / 2) : count;

describe('planPages', () => {
  const MAIN = `${BASE}/tags/x/`;
  const page = (k: number): string => `${MAIN}archive/${k}/`;
  /** Items 1 … count, newest first, as a scope lists its articles. */
  const itemsUpTo = (count: number): number[] => Array.from({ length: count }, (_, k) => count - k);

  it('plans 46 items at 20 a page as the README says: the feed holds 46–21, /archive/1/ holds 20–1', () => {
    expect(planPages(itemsUpTo(46), 20, MAIN)).toEqual([
      {
        location: MAIN,
        items: itemsUpTo(46).slice(0, 26),
        paging: { first: MAIN, next: page(1), last: page(1) },
        lifetime: 'feed',
        older: page(1),
      },
      {
        location: page(1),
        page: 1,
        items: itemsUpTo(20),
        paging: { first: MAIN, previous: MAIN, last: page(1) },
        lifetime: 'feed',
        newer: MAIN,
      },
    ]);
  });

  it('plans one document, linking only to itself, while fewer than 2N items are listed', () => {
    for (const count of [0, 1, N, 2 * N - 1]) {
      expect(planPages(itemsUpTo(count), N, MAIN)).toEqual([
        {
          location: MAIN,
          items: itemsUpTo(count),
          paging: { first: MAIN, last: MAIN },
          lifetime: 'feed',
        },
      ]);
    }
  });

  it.each(LENGTHS)(
    'puts each of %i items in exactly one document, chained from the feed to page 1, newest first',
    (count) => {
      const plan = planPages(itemsUpTo(count), N, MAIN);
      const pages = Math.max(0, Math.floor(count / N) - 1);
      expect(plan.map((d) => d.location)).toEqual([
        MAIN,
        ...Array.from({ length: pages }, (_, k) => page(k + 1)),
      ]);
      // Following `next` (and the pages' "Older articles") from the feed reads every item once.
      const chain: number[] = [];
      for (
        let doc = plan[0];
        doc !== undefined;
        doc = plan.find((d) => d.location === doc?.paging.next)
      ) {
        expect(doc.older).toBe(doc.paging.next);
        chain.push(...doc.items);
      }
      expect(chain).toEqual(itemsUpTo(count));
      const [feed, ...archive] = plan;
      if (count >= N) expect(feed?.items.length).toBeGreaterThanOrEqual(N);
      expect(feed?.items.length).toBeLessThan(Math.max(2 * N, 1));
      for (const doc of archive) {
        const k = doc.page ?? 0;
        // Page k holds chronological items (k−1)N+1 … kN, whatever the count.
        expect(doc.items).toEqual(itemsUpTo(k * N).slice(0, N));
        expect(doc.paging).toEqual({
          first: MAIN,
          ...(k > 1 ? { next: page(k - 1) } : {}),
          previous: k < pages ? page(k + 1) : MAIN,
          last: page(1),
        });
        expect(doc.newer).toBe(doc.paging.previous);
        // Only a page with a newer page above it can no longer change.
        expect(doc.lifetime).toBe(k < pages ? 'archive' : 'feed');
      }
    },
  );
});

describe.each(LENGTHS)('with %i articles', (count) => {
  it.each(SCOPES.filter((scope) => lengthIn(scope, count) > 0 || scope === ''))(
    'gives every item of "%s/" exactly once, newest first, in all three formats and the list pages',
    (scope) => {
      const site = siteOf(count);
      const subscription = `${BASE}${scope}/`;
      const length = lengthIn(scope, count);
      const pages = pageCount(length);
      const archive = (k: number): string => `${BASE}${scope}/archive/${k}/`;
      const expectedChain = [
        subscription,
        ...Array.from({ length: pages }, (_, i) => archive(pages - i)),
      ];
      for (const format of ['rss', 'atom', 'json'] as const) {
        const chain = followNext(site, format, subscription);
        expect(
          chain.map((d) => d.location),
          format,
        ).toEqual(expectedChain);
        expect(
          chain.flatMap((d) => d.ids),
          format,
        ).toEqual(expectedIds(count, scope));
        // The subscription document holds N to 2N−1 items once there are N; every archive page N.
        const first = chain[0]?.ids.length ?? 0;
        if (length >= N)
          expect(first >= N && first <= 2 * N - 1, `${format}: ${first} items in the feed`).toBe(
            true,
          );
        else expect(first).toBe(length);
        for (const doc of chain.slice(1))
          expect(doc.ids, `${format} ${doc.location}`).toHaveLength(N);
        if (format === 'json') continue;
        // RFC 5005 §3: first is the subscription document, last the oldest page, previous the newer neighbour.
        chain.forEach((doc, i) => {
          expect(doc.links, `${format} ${doc.location}`).toEqual({
            first: subscription,
            last: expectedChain.at(-1),
            ...(i + 1 < chain.length ? { next: expectedChain[i + 1] } : {}),
            ...(i > 0 ? { previous: expectedChain[i - 1] } : {}),
          });
        });
      }
      const pagesChain = followOlder(site, subscription);
      expect(pagesChain.map((p) => p.location)).toEqual(expectedChain);
      expect(pagesChain.flatMap((p) => p.ids)).toEqual(expectedIds(count, scope));
      expect(pagesChain.map((p) => p.newer)).toEqual([undefined, ...expectedChain.slice(0, -1)]);
      // No archive page beyond the last one.
      expect(servedAt(site, `${scope}/archive/${pages + 1}/rss.xml`)).toBeUndefined();
    },
  );

  it.each(SCOPES)(
    'keeps the bytes of every archive page of "%s/" as up to 2N more articles arrive',
    (scope) => {
      const pages = pageCount(lengthIn(scope, count));
      const site = siteOf(count);
      // The subscription documents change with every article: always the Worker's.
      if (lengthIn(scope, count) > 0 || scope === '')
        for (const [file, type] of [
          ...Object.values(FILES).map((f) => [f, 'feed'] as const),
          ['', 'page'] as const,
        ]) {
          const path = `${scope}/${file}`;
          expect(isAsset(site, path), `${path} is no asset`).toBe(false);
          expect(site.routes[path]?.at(-1)?.lifetime, path).toBe(type);
        }
      for (let k = 1; k <= pages; k++) {
        const location = `${scope}/archive/${k}/`;
        const newest = k === pages;
        for (const [file, type] of [
          ...Object.values(FILES).map((f) => [f, 'feed'] as const),
          ['', 'page'] as const,
        ]) {
          // Only a page with an archive page above it is final: it is a static asset (kept long,
          // never run through the Worker). The newest page may still change, so the Worker serves it.
          expect(isAsset(site, location + file), `${location}${file} is an asset`).toBe(!newest);
          const route = site.routes[location + file];
          if (newest) expect(route?.at(-1)?.lifetime, `${location}${file}`).toBe(type);
          else expect(route, `${location}${file} is no Worker route`).toBeUndefined();
          const served = servedAt(site, location + file);
          if (!served) throw new Error(`${location}${file} is not served at ${count} articles`);
          for (let later = count + 1; later <= count + GROWTH; later++) {
            const after = servedAt(siteOf(later), location + file);
            if (!after) throw new Error(`${location}${file} disappeared at ${later} articles`);
            const where = `${location}${file} from ${count} to ${later} articles`;
            if (!newest || file === FILES.json) {
              // Same bytes, so the same ETag: JSON Feed has no link to newer pages at all.
              expect(after.body, where).toBe(served.body);
              expect(after.etag, where).toBe(served.etag);
              continue;
            }
            // What may change on the newest page: the href of its one link to the newer neighbour
            // (RSS atom:link and Atom link rel="previous", the page's rel="prev"), from the
            // subscription document to page k+1. Nothing else, not even `updated`.
            const newer =
              pageCount(lengthIn(scope, later)) > k
                ? `${BASE}${scope}/archive/${k + 1}/`
                : `${BASE}${scope}/`;
            const placeholder = (body: string, href: string): string => {
              const target =
                file === ''
                  ? `<a rel="prev" href="${href}">`
                  : `href="${href}${file}" rel="previous"`;
              expect(body.split(target).length, `${where}: one link to ${href}`).toBe(2);
              return body.replace(target, 'NEWER');
            };
            expect(placeholder(after.body, newer), where).toBe(
              placeholder(served.body, `${BASE}${scope}/`),
            );
          }
        }
      }
    },
  );
});
