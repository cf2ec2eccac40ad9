import type { Problem } from './problem.ts';

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
    const why = folderOf(first) === folderOf(p.file) ? '' : ' (the slug is the file name, whatever its folder)';
    problems.push({ file: p.file, line: 1, field: 'slug', message: `duplicate slug "${p.slug}": ${first} has the same one${why}; rename one of the files` });
  }
  return problems;
}
