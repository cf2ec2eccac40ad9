/**
 * The URL slug of a tag's or an author's name: Unicode-normalised (NFKD), accents dropped,
 * lowercased, and every run of characters other than letters and digits turned into one `-`.
 * Letters of any script stay letters ("Политика" → "политика"), percent-encoded in URLs.
 * @example slugify('Café Society') // 'cafe-society'
 */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}
