import { describe, expect, it } from 'vitest';
import { createCacheControl, edgeTtl } from '../../../src/http/cache-control.ts';
import type { CacheConfig } from '../../../src/site/types.ts';

const CONFIG: CacheConfig = {
  feedMaxAge: 300,
  feedSMaxAge: 600,
  pageMaxAge: 3600,
  pageSMaxAge: 86400,
  archiveMaxAge: 604800,
  staleWhileRevalidate: 60,
};
const NOW = Date.parse('2026-06-01T00:00:00Z');
const inSeconds = (seconds: number): number => NOW + seconds * 1000;

describe('createCacheControl', () => {
  it.each([
    ['feed', 'public, max-age=300, s-maxage=600, stale-while-revalidate=60'],
    ['page', 'public, max-age=3600, s-maxage=86400, stale-while-revalidate=60'],
    ['archive', 'public, max-age=604800, s-maxage=604800, stale-while-revalidate=60'],
    ['error', 'public, max-age=60, s-maxage=60, stale-while-revalidate=60'],
  ] as const)(
    'gives %s answers their configured lifetimes when nothing is scheduled',
    (cacheClass, expected) => {
      expect(createCacheControl(cacheClass, CONFIG, NOW)).toBe(expected);
    },
  );

  it('clamps every lifetime to the seconds left before the next scheduled article', () => {
    expect(createCacheControl('feed', CONFIG, NOW, inSeconds(90))).toBe(
      'public, max-age=90, s-maxage=90',
    );
    expect(createCacheControl('feed', CONFIG, NOW, inSeconds(400))).toBe(
      'public, max-age=300, s-maxage=400',
    );
  });

  it('lets stale-while-revalidate run only until the publication, and drops it when no time is left', () => {
    expect(createCacheControl('error', CONFIG, NOW, inSeconds(90))).toBe(
      'public, max-age=60, s-maxage=60, stale-while-revalidate=30',
    );
    expect(createCacheControl('feed', CONFIG, NOW, inSeconds(630))).toBe(
      'public, max-age=300, s-maxage=600, stale-while-revalidate=30',
    );
    expect(createCacheControl('feed', CONFIG, NOW, inSeconds(600))).toBe(
      'public, max-age=300, s-maxage=600',
    );
  });

  it('counts whole seconds, down, and never below zero', () => {
    expect(createCacheControl('feed', CONFIG, NOW, NOW + 1999)).toBe(
      'public, max-age=1, s-maxage=1',
    );
    expect(createCacheControl('feed', CONFIG, NOW, NOW - 5000)).toBe(
      'public, max-age=0, s-maxage=0',
    );
  });
});

describe('edgeTtl', () => {
  it('is the shared lifetime, clamped like Cache-Control', () => {
    expect(edgeTtl('feed', CONFIG, NOW)).toBe(600);
    expect(edgeTtl('page', CONFIG, NOW)).toBe(86400);
    expect(edgeTtl('archive', CONFIG, NOW)).toBe(604800);
    expect(edgeTtl('feed', CONFIG, NOW, inSeconds(90))).toBe(90);
    expect(edgeTtl('feed', CONFIG, NOW, NOW - 1)).toBe(0);
  });

  it('equals the s-maxage of the Cache-Control given at the same instant', () => {
    for (const cacheClass of ['feed', 'page', 'archive', 'error'] as const) {
      for (const next of [
        undefined,
        inSeconds(1),
        inSeconds(90),
        inSeconds(700),
        inSeconds(10 ** 7),
      ]) {
        const sMaxAge = Number(
          /s-maxage=(\d+)/.exec(createCacheControl(cacheClass, CONFIG, NOW, next))?.[1],
        );
        expect(edgeTtl(cacheClass, CONFIG, NOW, next), `${cacheClass} ${next}`).toBe(sMaxAge);
      }
    }
  });
});
