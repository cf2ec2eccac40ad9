import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  answerPrebuilt,
  createPrebuilt,
  findPrebuilt,
  type Prebuilt,
  splitTarget,
} from '../../../src/http/prebuilt.ts';
import { createChunkReader } from '../../../src/site/chunks.ts';
import { momentAt } from '../../../src/site/lookup.ts';
import type { BuiltSite } from '../../../src/site/types.ts';
import { createArticle } from '../../support/fixtures.ts';
import { buildFixtureSite, servedAt } from '../support.ts';

describe('splitTarget', () => {
  it.each([
    ['https://news.example/feed.json?limit=2', '/feed.json', 'limit=2'],
    ['https://news.example/', '/', ''],
    ['https://news.example', '/', ''],
    ['http://127.0.0.1:8787/articles/caf%C3%A9?', '/articles/caf%C3%A9', ''],
    ['https://news.example/a?b=c#d?e', '/a', 'b=c'],
    ['https://news.example/a#d?e', '/a', ''],
  ])('splits %s', (url, path, query) => {
    expect(splitTarget(url)).toEqual({ path, query });
  });

  it('agrees with URL on the path and the query of any URL that Request would serialize', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (raw) => {
        const url = new URL(raw);
        expect(splitTarget(url.href)).toEqual({ path: url.pathname, query: url.search.slice(1) });
      }),
      { numRuns: 500 },
    );
  });
});

const BUILT_AT = Date.parse('2025-01-01T00:00:00Z');
const DUE_AT = Date.parse('2025-01-01T12:00:00Z');

describe('answers from memory', () => {
  let site: BuiltSite;
  let prebuilt: Prebuilt;
  beforeAll(async () => {
    site = await buildFixtureSite(
      [
        createArticle({
          name: 'out.md',
          frontMatter: { title: 'Out', date: '2024-12-31T09:00:00Z' },
        }),
        createArticle({
          name: 'soon.md',
          frontMatter: { title: 'Soon', date: '2025-01-01T12:00:00Z' },
        }),
      ],
      { now: BUILT_AT },
    );
    prebuilt = createPrebuilt(site, createChunkReader(site.chunks));
  });
  const at = (now: number) => momentAt(site, now);
  const request = (path: string, init?: RequestInit) =>
    new Request(`https://news.example${path}`, init);
  const answer = async (
    path: string,
    now: number,
    init?: RequestInit,
  ): Promise<Response | undefined> => {
    const found = findPrebuilt(prebuilt, request(path, init), at(now));
    return found && (await answerPrebuilt(prebuilt, found, request(path, init), at(now)));
  };

  it('answers 200 with the body in force and its fields', async () => {
    const now = DUE_AT + 1;
    const res = await answer('/rss.xml', now);
    const served = servedAt(site, '/rss.xml', now);
    expect(res?.status).toBe(200);
    expect(await res?.text()).toBe(served?.body);
    expect(Object.fromEntries(res?.headers ?? [])).toEqual({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'ETag, Last-Modified, X-Edge-Cache',
      'cache-control': 'public, max-age=300, s-maxage=600, stale-while-revalidate=60',
      'content-type': 'application/rss+xml; charset=utf-8',
      etag: served?.etag,
      'last-modified': 'Wed, 01 Jan 2025 12:00:00 GMT',
      vary: 'Accept-Encoding',
      'x-content-type-options': 'nosniff',
      'x-edge-cache': 'BYPASS',
    });
  });

  it('answers HEAD with the same fields and no body, and the length of the GET', async () => {
    const get = await answer('/', DUE_AT + 1);
    const head = await answer('/', DUE_AT + 1, { method: 'HEAD' });
    expect(head?.body).toBeNull();
    const length = (await get?.arrayBuffer())?.byteLength;
    expect([...(head?.headers ?? [])]).toEqual(
      [...(get?.headers ?? []), ['content-length', String(length)]].sort(([a], [b]) =>
        String(a) < String(b) ? -1 : 1,
      ),
    );
  });

  it('answers 304 with the fields a 304 keeps when the reader holds the body', async () => {
    const etag = servedAt(site, '/atom.xml', DUE_AT + 1)?.etag ?? '';
    const res = await answer('/atom.xml', DUE_AT + 1, { headers: { 'If-None-Match': etag } });
    expect(res?.status).toBe(304);
    expect(await res?.text()).toBe('');
    expect(res?.headers.get('etag')).toBe(etag);
    expect(res?.headers.get('content-type')).toBeNull();
    expect(res?.headers.get('cache-control')).toBe(
      'public, max-age=300, s-maxage=600, stale-while-revalidate=60',
    );
  });

  it('leaves feed queries, unknown paths and articles not yet published to the router', async () => {
    expect(await answer('/feed.json?limit=1', DUE_AT + 1)).toBeUndefined();
    expect(await answer('/feed.json?tag=x&utm_source=y', DUE_AT + 1)).toBeUndefined();
    expect(await answer('/no-such-page', DUE_AT + 1)).toBeUndefined();
    expect(await answer('/articles/out/', DUE_AT + 1)).toBeUndefined();
    expect(await answer('/articles/soon', DUE_AT - 1)).toBeUndefined();
    expect((await answer('/articles/soon', DUE_AT))?.status).toBe(200);
    // Parameters that change nothing leave the pre-rendered body in force.
    expect((await answer('/feed.json?utm_source=y', DUE_AT + 1))?.status).toBe(200);
    expect((await answer('/rss.xml?limit=1', DUE_AT + 1))?.status).toBe(200);
  });

  it('clamps Cache-Control to the next publication while one is due, and prepares each version once', async () => {
    expect((await answer('/rss.xml', DUE_AT - 90_000))?.headers.get('cache-control')).toBe(
      'public, max-age=90, s-maxage=90',
    );
    expect((await answer('/rss.xml', DUE_AT - 30_000))?.headers.get('cache-control')).toBe(
      'public, max-age=30, s-maxage=30',
    );
    const moment = at(DUE_AT + 1);
    expect(findPrebuilt(prebuilt, request('/rss.xml'), moment)).toBe(
      findPrebuilt(prebuilt, request('/rss.xml?utm_source=z'), moment),
    );
  });

  it('says MISS on its 200s when the edge cache stands in front of it, BYPASS on its 304s', async () => {
    const fronted = createPrebuilt(site, createChunkReader(site.chunks), 'MISS');
    const moment = at(DUE_AT + 1);
    const found = findPrebuilt(fronted, request('/feed.json'), moment);
    if (!found) throw new Error('no /feed.json');
    expect(
      (await answerPrebuilt(fronted, found, request('/feed.json'), moment)).headers.get(
        'x-edge-cache',
      ),
    ).toBe('MISS');
    const conditional = request('/feed.json', { headers: { 'If-None-Match': found.version.etag } });
    expect(
      (await answerPrebuilt(fronted, found, conditional, moment)).headers.get('x-edge-cache'),
    ).toBe('BYPASS');
  });
});
