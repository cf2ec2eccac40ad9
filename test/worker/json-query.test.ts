import { describe, expect, it } from 'vitest';
import { site } from '../generated/paged.js';
import { serveFixture } from './fixture-app.ts';

const fetch = serveFixture(site, Date.parse('2026-01-01T00:00:00Z'));

interface Feed {
  version: string;
  items: { title: string; date_published: string; date_modified: string; tags: string[] }[];
}

async function query(search: string): Promise<{ res: Response; feed: Feed }> {
  const res = await fetch(`/feed.json${search}`);
  expect(res.status, search).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
  return { res, feed: (await res.json()) as Feed };
}

describe('JSON feed for scripts', () => {
  it('limits the number of items', async () => {
    const { feed } = await query('?limit=2');
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.items.map((i) => i.title)).toEqual(['Day 17', 'Day 16']);
    expect((await query('?limit=8')).feed.items).toHaveLength(8);
  });

  it('returns items published or updated after since', async () => {
    const { feed } = await query('?since=2024-01-14T08:00:00Z');
    // Day 12 was published before, but updated after.
    expect(feed.items.map((i) => i.title)).toEqual(['Day 17', 'Day 16', 'Day 15', 'Day 12']);
    const updatedOnly = await query('?since=2024-01-20T00:00:00Z');
    expect(updatedOnly.feed.items.map((i) => i.title)).toEqual(['Day 12']);
  });

  it('filters by one tag or several', async () => {
    const one = await query('?tag=%D0%9F%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0&limit=8');
    expect(one.feed.items.map((i) => i.title)).toEqual([
      'Day 16',
      'Day 13',
      'Day 10',
      'Day 07',
      'Day 04',
      'Day 01',
    ]);
    const two = await query('?tag=cafe&tag=news&limit=3');
    expect(two.feed.items.map((i) => i.title)).toEqual(['Day 17', 'Day 16', 'Day 15']);
  });

  it('filters by one author or several, by name or slug', async () => {
    const bo = await query('?author=bo-chen');
    expect(bo.feed.items.map((i) => i.title)).toEqual(['Day 13', 'Day 10', 'Day 07', 'Day 01']);
    expect((await query('?author=Bo%20Chen')).feed.items.map((i) => i.title)).toEqual([
      'Day 13',
      'Day 10',
      'Day 07',
      'Day 01',
    ]);
    // One author however it is spelled: "Zoë Adams" on odd days, "zoe adams" on even ones.
    const zoe = await query('?author=ZO%C3%8B%20ADAMS&limit=8');
    expect(zoe.feed.items.map((i) => i.title)).toEqual([
      'Day 17',
      'Day 15',
      'Day 14',
      'Day 13',
      'Day 11',
      'Day 10',
      'Day 09',
      'Day 07',
    ]);
    const two = await query('?author=bo-chen&author=Fixture%20Desk&limit=8');
    expect(two.feed.items.map((i) => i.title)).toEqual([
      'Day 16',
      'Day 13',
      'Day 12',
      'Day 10',
      'Day 08',
      'Day 07',
      'Day 04',
      'Day 01',
    ]);
  });

  it('combines author with tag (both must match) and with since and limit', async () => {
    // Fixture Desk wrote days 4, 8, 12 and 16; "Политика" is on days 1, 4, 7, 10, 13 and 16.
    const both = await query(
      '?author=fixture-desk&tag=%D0%9F%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0',
    );
    expect(both.feed.items.map((i) => i.title)).toEqual(['Day 16', 'Day 04']);
    const anyTag = await query(
      '?tag=%D0%9F%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0&tag=cafe&author=fixture-desk',
    );
    expect(anyTag.feed.items.map((i) => i.title)).toEqual(['Day 16', 'Day 12', 'Day 08', 'Day 04']);
    // Zoë Adams's five newest are days 17, 15, 14, 13 and 11: since leaves those after day 13.
    const since = await query('?author=zoe-adams&since=2024-01-13T08:00:00Z');
    expect(since.feed.items.map((i) => i.title)).toEqual(['Day 17', 'Day 15', 'Day 14']);
    expect((await query('?author=zoe-adams&limit=1')).feed.items.map((i) => i.title)).toEqual([
      'Day 17',
    ]);
  });

  it('keeps each author query cacheable at the edge and by readers', async () => {
    const first = await fetch('/feed.json?author=bo-chen&limit=2');
    expect(first.headers.get('x-edge-cache')).toBe('MISS');
    expect(first.headers.get('last-modified')).toBe('Sat, 13 Jan 2024 08:00:00 GMT');
    const etag = first.headers.get('etag') ?? '';
    const again = await fetch('/feed.json?limit=2&utm_source=x&author=bo-chen');
    expect(again.headers.get('x-edge-cache')).toBe('HIT');
    expect(again.headers.get('etag')).toBe(etag);
    expect(
      (await fetch('/feed.json?author=bo-chen&limit=2', { headers: { 'If-None-Match': etag } }))
        .status,
    ).toBe(304);
    const other = await fetch('/feed.json?author=zoe-adams&limit=2');
    expect(other.headers.get('x-edge-cache')).toBe('MISS');
    expect(other.headers.get('etag')).not.toBe(etag);
  });

  it('keeps each parameter set cacheable at the edge and by readers', async () => {
    const first = await query('?limit=3&tag=news');
    expect(first.res.headers.get('x-edge-cache')).toBe('MISS');
    const etag = first.res.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"q[A-Za-z0-9_-]+"$/);
    expect(first.res.headers.get('last-modified')).toBe('Wed, 17 Jan 2024 08:00:00 GMT');
    const reordered = await fetch('/feed.json?tag=news&limit=3&utm_source=x');
    expect(reordered.headers.get('x-edge-cache')).toBe('HIT');
    expect(reordered.headers.get('etag')).toBe(etag);
    const notModified = await fetch('/feed.json?limit=3&tag=news', {
      headers: { 'If-None-Match': etag },
    });
    expect(notModified.status).toBe(304);
    const other = await fetch('/feed.json?limit=4&tag=news');
    expect(other.headers.get('x-edge-cache')).toBe('MISS');
    expect(other.headers.get('etag')).not.toBe(etag);
  });

  it('serves the pre-rendered feed when no query parameter applies', async () => {
    const plain = await fetch('/feed.json');
    const tracked = await fetch('/feed.json?utm_campaign=x');
    expect(await tracked.text()).toBe(await plain.text());
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=9', 'limit'],
    ['?limit=abc', 'limit'],
    ['?limit=1&limit=2', 'limit'],
    ['?since=yesterday', 'since'],
    ['?since=2024-02-30T00:00:00Z', 'since'],
    ['?since=2024-01-01', 'since'],
    ['?tag=no-such-tag', 'tag'],
    ['?author=nobody', 'author'],
    ['?author=bo-chen&author=%3F%3F%3F', 'author'],
  ])('answers %s with 400 naming the parameter', async (search, parameter) => {
    const res = await fetch(`/feed.json${search}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: string; parameter: string; message: string };
    expect(body).toMatchObject({ error: 'invalid_parameter', parameter });
    expect(body.message).toContain(parameter);
  });
});
