import { slugify } from '../site/slug.ts';
import type { ParsedArticle } from './article.ts';
import type { Problem } from './problem.ts';

/** A kind of name that articles carry and the site gives pages: tags or authors. */
export interface NameKind {
  /** The front-matter field, for problems; also the plural in notes and the URL segment. */
  field: 'tags' | 'authors';
  /** One of them, in messages: "tag", "author". */
  noun: string;
  /** The names an article gives, as written. */
  namesOf(article: ParsedArticle): readonly string[];
  /** The line of the field in the article's file, when the front matter has it. */
  lineOf(article: ParsedArticle): number | undefined;
}

/** Tags: `tags:` in the front matter, pages at `/tags/<slug>/`. */
export const TAG_NAMES: NameKind = {
  field: 'tags',
  noun: 'tag',
  namesOf: (a) => a.tags,
  lineOf: (a) => a.tagsLine,
};

/** Authors: `authors:` in the front matter, or SITE_AUTHOR; pages at `/authors/<slug>/`. */
export const AUTHOR_NAMES: NameKind = {
  field: 'authors',
  noun: 'author',
  namesOf: (a) => a.authors.map((author) => author.name),
  lineOf: (a) => a.authorsLine,
};

/** Every name of one kind on the site: its slug, the name shown for it, and the spellings merged into it. */
export interface NameIndex {
  /** Display name by slug. */
  names: Map<string, string>;
  /** Notes about spellings merged into one name, for the build's output. */
  notes: string[];
  problems: Problem[];
}

/**
 * Groups the names of one kind (tags, or authors) of all articles by slug. Spellings that
 * differ only in case, accents or punctuation are one tag or one author, on purpose: they
 * share a URL and a feed, and the build says which spellings it merged. The most used
 * spelling (ties: the first in code-point order) names it everywhere: its page, article pages
 * and every feed. A name with no letter or digit has no slug and is refused.
 */
export function indexNames(articles: readonly ParsedArticle[], kind: NameKind): NameIndex {
  const spellings = new Map<string, Map<string, number>>();
  const problems: Problem[] = [];
  for (const article of articles) {
    for (const name of kind.namesOf(article)) {
      const slug = slugify(name);
      if (slug === '') {
        problems.push({
          file: article.file,
          line: kind.lineOf(article) ?? 1,
          field: kind.field,
          message: `${kind.noun} ${JSON.stringify(name)} has no letter or digit to make its URL from`,
        });
        continue;
      }
      const counts = spellings.get(slug) ?? new Map<string, number>();
      counts.set(name, (counts.get(name) ?? 0) + 1);
      spellings.set(slug, counts);
    }
  }
  const names = new Map<string, string>();
  const notes: string[] = [];
  for (const [slug, counts] of [...spellings].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    const name = ranked[0]?.[0] ?? slug;
    names.set(slug, name);
    if (ranked.length > 1)
      notes.push(
        `${kind.field} ${ranked.map(([t]) => JSON.stringify(t)).join(', ')} are one ${kind.noun}, "${name}", at /${kind.field}/${slug}/`,
      );
  }
  return { names, notes, problems };
}
