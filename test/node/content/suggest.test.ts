import { describe, expect, it } from 'vitest';
import { FRONT_MATTER_KEYS } from '../../../src/content/front-matter.ts';
import { computeEditDistance, suggestClosest } from '../../../src/content/suggest.ts';

describe('computeEditDistance', () => {
  it.each([
    ['', '', 0],
    ['a', '', 1],
    ['', 'abc', 3],
    ['title', 'title', 0],
    ['titel', 'title', 2],
    ['tags', 'tag', 1],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
  ])('counts %j → %j as %i edits, either way round', (a, b, distance) => {
    expect(computeEditDistance(a, b)).toBe(distance);
    expect(computeEditDistance(b, a)).toBe(distance);
  });
});

describe('suggestClosest', () => {
  it('suggests the front-matter key a typo is closest to, whatever its case', () => {
    expect(suggestClosest('titel', FRONT_MATTER_KEYS)).toBe('title');
    expect(suggestClosest('Title', FRONT_MATTER_KEYS)).toBe('title');
    expect(suggestClosest('dat', FRONT_MATTER_KEYS)).toBe('date');
    expect(suggestClosest('author', FRONT_MATTER_KEYS)).toBe('authors');
    expect(suggestClosest('original-url', FRONT_MATTER_KEYS)).toBe('original_url');
  });

  it('suggests nothing more than two edits away, unless told otherwise', () => {
    expect(suggestClosest('xyzzy', FRONT_MATTER_KEYS)).toBeUndefined();
    expect(suggestClosest('abcde', ['ab'])).toBeUndefined();
    expect(suggestClosest('abcd', ['ab'])).toBe('ab');
    expect(suggestClosest('abcde', ['ab'], 3)).toBe('ab');
  });

  it('prefers the closest candidate, and the first listed of equally close ones', () => {
    expect(suggestClosest('tage', ['date', 'tags'])).toBe('tags');
    expect(suggestClosest('tate', ['tags', 'date'])).toBe('date');
    expect(suggestClosest('tate', ['date', 'tale'])).toBe('date');
    expect(suggestClosest('tate', ['tale', 'date'])).toBe('tale');
  });
});
