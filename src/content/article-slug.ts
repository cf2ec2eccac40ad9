import type { Problem } from './problem.ts';

// An article's slug is its file name, whatever folder it is filed in: the last part of its URL.

/** Markdown file names: what the articles folder publishes. */
const MARKDOWN = /\.(md|markdown)$/i;

/** Lowercase ASCII letters and digits, in runs joined by one `-` or `_`: what a slug may be. */
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/** Whether a file name is a markdown file's, and so an article's. */
export function isMarkdownFileName(name: string): boolean {
  return MARKDOWN.test(name);
}

/** The slug of an article file (`articles/2024/Rate-Cut.md` → `rate-cut`): its name without folders or extension, lowercased. */
export function deriveFileSlug(file: string): string {
  return (file.split('/').pop() ?? file).replace(MARKDOWN, '').toLowerCase();
}

/** Whether `slug` can be an article's slug, and so its URL. */
export function isArticleSlug(slug: string): boolean {
  return SLUG.test(slug);
}

/**
 * Refuses a second article with the slug of an earlier one (in file order), naming both files:
 * the slug is the article's URL.
 */
export function findDuplicateSlugs(parsed: readonly { file: string; slug: string }[]): Problem[] {
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const p of parsed) {
    const first = seen.get(p.slug);
    if (first === undefined) {
      seen.set(p.slug, p.file);
      continue;
    }
    // The slug is the file name alone, so articles filed in different folders can collide.
    const folderOf = (file: string): string => file.slice(0, file.lastIndexOf('/'));
    const why =
      folderOf(first) === folderOf(p.file)
        ? ''
        : ' (the slug is the file name, whatever its folder)';
    problems.push({
      file: p.file,
      line: 1,
      field: 'slug',
      message: `duplicate slug "${p.slug}": ${first} has the same one${why}; rename one of the files`,
    });
  }
  return problems;
}
