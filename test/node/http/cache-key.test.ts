import { describe, expect, it } from 'vitest';
import { createCacheKey } from '../../../src/http/cache-key.ts';

const OPTIONS = { siteUrl: 'https://news.example', buildId: 'b1', edition: 0 };
const QUERY = ['limit', 'since', 'tag'];

describe('createCacheKey', () => {
  it('uses the configured site URL, never the host the request names', () => {
    expect(createCacheKey(new URL('https://evil.example/rss.xml'), OPTIONS)).toBe(
      'https://news.example/rss.xml?__build=b1.0',
    );
    expect(createCacheKey(new URL('http://127.0.0.1:8787/rss.xml'), OPTIONS)).toBe(
      'https://news.example/rss.xml?__build=b1.0',
    );
  });

  it('keeps only the parameters that change the answer, sorted by name', () => {
    const url = new URL(
      'https://x/feed.json?utm_source=a&tag=b&fbclid=c&limit=2&tag=a&since=2024-01-01T00:00:00Z',
    );
    expect(createCacheKey(url, { ...OPTIONS, keptParams: QUERY })).toBe(
      'https://news.example/feed.json?limit=2&since=2024-01-01T00%3A00%3A00Z&tag=b&tag=a&__build=b1.0',
    );
  });

  it('gives the same key whatever the order of the parameters', () => {
    const a = createCacheKey(new URL('https://x/feed.json?limit=2&tag=news'), {
      ...OPTIONS,
      keptParams: QUERY,
    });
    const b = createCacheKey(new URL('https://x/feed.json?tag=news&utm_medium=email&limit=2'), {
      ...OPTIONS,
      keptParams: QUERY,
    });
    expect(a).toBe(b);
  });

  it('drops every parameter when none is kept', () => {
    expect(createCacheKey(new URL('https://x/rss.xml?limit=2&utm_source=a'), OPTIONS)).toBe(
      'https://news.example/rss.xml?__build=b1.0',
    );
  });

  it('changes with the build and with the edition', () => {
    const url = new URL('https://x/atom.xml');
    const keys = new Set([
      createCacheKey(url, OPTIONS),
      createCacheKey(url, { ...OPTIONS, buildId: 'b2' }),
      createCacheKey(url, { ...OPTIONS, edition: 1 }),
    ]);
    expect(keys.size).toBe(3);
  });

  it('keeps the path as the URL has it, percent-escapes included', () => {
    expect(createCacheKey(new URL('https://x/tags/caf%C3%A9/'), OPTIONS)).toBe(
      'https://news.example/tags/caf%C3%A9/?__build=b1.0',
    );
  });
});
