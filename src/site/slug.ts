/**
 * The URL slug of a tag's or an author's name: Unicode-normalised (NFKD), accents dropped,
 * lowercased, and every run of characters other than letters and digits turned into one `-`.
 * Letters of any script stay letters ("Политика" → "политика"), percent-encoded in URLs.
 * @example slugify('Café Society') // 'cafe-society'
 */
export function slugify(name: string): string {
  return slugWith(name, /[^\p{L}\p{N}]+/gu);
}

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
