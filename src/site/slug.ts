/**
 * The URL slug of a tag's or an author's name: Unicode-normalised (NFKD), accents dropped,
 * lowercased, and every run of characters other than letters and digits turned into one `-`.
 * Letters of any script stay letters ("Политика" → "политика"), percent-encoded in URLs.
 * @example slugify('Café Society') // 'cafe-society'
 */
export function slugify(name: string): string {
  let slug = slugs.get(name);
  if (slug === undefined) {
    slug = slugWith(name, /[^\p{L}\p{N}]+/gu);
    // A site has a few hundred tag and author names, looked up once per article that names
    // them (tens of thousands of times a build): normalising each time cost about 0.3 s of a
    // 20,000-article rebuild.
    // Bounded in count and length: the Worker slugifies `?tag=` values, which anyone can send.
    if (slugs.size < SLUG_MEMO_LIMIT && name.length <= SLUG_MEMO_NAME_LIMIT) slugs.set(name, slug);
  }
  return slug;
}

/** Names slugify has seen, and their slugs. */
const slugs = new Map<string, string>();

/** At most this many names are remembered, so that a stream of distinct names cannot grow memory without end. */
const SLUG_MEMO_LIMIT = 10_000;

/** Longer names are slugified every time (no tag or author name is this long). */
const SLUG_MEMO_NAME_LIMIT = 200;

/**
 * The file-name slug `npm run new` makes of a title: as slugify, but only ASCII letters and
 * digits stay (a file name is an article's slug, which is ASCII), and at most 80 characters.
 * Empty for a title without Latin letters or digits: such an article needs a slug given to it.
 * @example slugifyTitle('Café & “Betrayal”!') // 'cafe-betrayal'
 */
export function slugifyTitle(title: string): string {
  return slugWith(title, /[^a-z0-9]+/g)
    .slice(0, 80)
    .replace(/-+$/, '');
}

/** Normalises, drops accents, lowercases, turns each run that `other` matches into `-`, and trims the dashes. */
function slugWith(text: string, other: RegExp): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(other, '-')
    .replace(/^-+|-+$/g, '');
}
