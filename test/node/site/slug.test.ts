import { describe, expect, it } from 'vitest';
import { slugify } from '../../../src/site/slug.ts';

describe('tag slugs', () => {
  it.each([
    ['Politics', 'politics'],
    ['Café Society', 'cafe-society'],
    ['  fish & chips  ', 'fish-chips'],
    ['Политика', 'политика'],
    ['東京', '東京'],
    ['C++', 'c'],
    ['ﬁnance', 'finance'],
  ])('slugifies %j as %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('is URL-safe once percent-encoded, and stable', () => {
    for (const name of ['Политика', 'Ünïcödé', 'a/b?c#d', 'x y']) {
      const slug = slugify(name);
      expect(slugify(slug)).toBe(slug);
      expect(encodeURIComponent(slug)).toMatch(/^[A-Za-z0-9%-]+$/);
    }
  });
});
