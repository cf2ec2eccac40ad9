import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitTarget } from '../../../src/http/prebuilt.ts';

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
