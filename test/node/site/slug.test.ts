import { describe, expect, it } from 'vitest';
import { slugify, slugifyTitle } from '../../../src/site/slug.ts';

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

describe('file-name slugs for npm run new', () => {
  it('makes file names from titles', () => {
    expect(slugifyTitle('Moscow Rebuffs Armenian PM’s Claims: Café & “Betrayal”!')).toBe(
      'moscow-rebuffs-armenian-pm-s-claims-cafe-betrayal',
    );
  });

  it('keeps only ASCII letters and digits, at most 80 characters, never ending in "-"', () => {
    expect(slugifyTitle('Политика')).toBe('');
    expect(slugifyTitle('東京 2026')).toBe('2026');
    expect(slugifyTitle(`${'a'.repeat(79)} b`)).toBe('a'.repeat(79));
    expect(slugifyTitle('word '.repeat(30))).toHaveLength(79);
  });
});
