import { readFile, stat } from 'node:fs/promises';
import type { SiteConfig } from '../site/types.ts';
import { type ParsedArticle, parseArticle } from './article.ts';
import { type BuildLimits, checkArticleSize } from './limits.ts';
import type { Problem } from './problem.ts';

/** An article file: its name as problems report it, and where to read it. */
export interface ArticleFile {
  file: string;
  path: string;
}

/** What reading one file gave: the article, or its problems. */
export interface ReadResult {
  article?: ParsedArticle;
  problems: Problem[];
}

/** Files read ahead of the one being parsed. */
const READ_AHEAD = 16;

/**
 * Reads and parses article files, in order, reading a few files ahead of the one being
 * parsed. Parsing stays on this thread: worker threads were tried and were no faster
 * (BENCHMARKS.md, "The build").
 */
export async function readArticles(
  files: readonly ArticleFile[],
  config: SiteConfig,
  limits: BuildLimits,
): Promise<ReadResult[]> {
  const reads = new Map<number, Promise<Uint8Array | Problem>>();
  const read = (i: number): Promise<Uint8Array | Problem> | undefined => {
    const entry = files[i];
    if (entry === undefined) return undefined;
    let pending = reads.get(i);
    if (pending === undefined) {
      pending = readChecked(entry, limits);
      reads.set(i, pending);
    }
    return pending;
  };
  const results: ReadResult[] = [];
  for (let i = 0; i < files.length; i++) {
    // Read-ahead failures surface when their own turn awaits them.
    for (let ahead = 1; ahead <= READ_AHEAD; ahead++) read(i + ahead)?.catch(() => undefined);
    const content = await read(i);
    reads.delete(i);
    const entry = files[i];
    if (content === undefined || entry === undefined) continue;
    results.push(
      content instanceof Uint8Array
        ? parseArticle(entry.file, content, config)
        : { problems: [content] },
    );
  }
  return results;
}

/** An article file's bytes, or the problem when it is over MAX_ARTICLE_BYTES (then it is not read). */
async function readChecked(
  { file, path }: ArticleFile,
  limits: BuildLimits,
): Promise<Uint8Array | Problem> {
  const tooLarge = checkArticleSize(file, (await stat(path)).size, limits);
  return tooLarge ?? readFile(path);
}
