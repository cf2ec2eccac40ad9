import { slugifyTag } from '../site/tag-slug.ts';
import type { ParsedArticle, Problem } from './article.ts';

export { slugifyTag };

/** Every tag of the site: its slug, the name shown for it, and the spellings merged into it. */
export interface TagIndex {
  /** Display name by slug. */
  names: Map<string, string>;
  /** Notes about spellings merged into one tag, for the build's output. */
  notes: string[];
  problems: Problem[];
}

/**
 * Groups the tags of all articles by slug. Spellings that differ only in case, accents or
 * punctuation are one tag, on purpose: they share a URL and a feed, and the build says which
 * spellings it merged. The most used spelling names the tag (ties: the first in code-point
 * order) everywhere: tag pages, article pages and every feed's categories. A tag with no
 * letter or digit has no slug and is refused.
 */
export function indexTags(articles: readonly ParsedArticle[]): TagIndex {
  const spellings = new Map<string, Map<string, number>>();
  const problems: Problem[] = [];
  for (const article of articles) {
    for (const tag of article.tags) {
      const slug = slugifyTag(tag);
      if (slug === '') {
        problems.push({ file: article.file, line: article.tagsLine ?? 1, field: 'tags', message: `tag ${JSON.stringify(tag)} has no letter or digit to make its URL from` });
        continue;
      }
      const counts = spellings.get(slug) ?? new Map<string, number>();
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
      spellings.set(slug, counts);
    }
  }
  const names = new Map<string, string>();
  const notes: string[] = [];
  for (const [slug, counts] of [...spellings].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    const name = ranked[0]?.[0] ?? slug;
    names.set(slug, name);
    if (ranked.length > 1) notes.push(`tags ${ranked.map(([t]) => JSON.stringify(t)).join(', ')} are one tag, "${name}", at /tags/${slug}/`);
  }
  return { names, notes, problems };
}
