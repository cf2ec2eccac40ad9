import { readFileSync, statSync } from 'node:fs';
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

/** Where parsed articles may be kept between builds (src/prerender/build-cache.ts); absent, every file is parsed. */
export interface ParseCache {
  /** The stored result of parsing `bytes` as `file`, if there is one for exactly these inputs. */
  load(file: string, bytes: Uint8Array): Promise<ReadResult | undefined>;
  /** Keeps the result of parsing `bytes` as `file`. */
  store(file: string, bytes: Uint8Array, result: ReadResult): void;
  /** Resolves once what was stored so far is written, so that unwritten entries never pile up in memory. */
  drain?(): Promise<void>;
}

/** Entries parsed between waits for the cache's writes. */
const STORE_BATCH = 64;

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
  cache?: ParseCache,
): Promise<ReadResult[]> {
  const reads = new Map<number, Promise<Read>>();
  const read = (i: number): Promise<Read> | undefined => {
    const entry = files[i];
    if (entry === undefined) return undefined;
    let pending = reads.get(i);
    if (pending === undefined) {
      pending = readCached(entry, limits, cache);
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
    if ('problem' in content) {
      results.push({ problems: [content.problem] });
    } else if (content.cached) {
      results.push(content.cached);
    } else {
      const result = parseArticle(entry.file, content.bytes, config);
      cache?.store(entry.file, content.bytes, result);
      results.push(result);
      if (results.length % STORE_BATCH === 0) await cache?.drain?.();
    }
  }
  return results;
}

/** A file's bytes and what the cache holds for them, or the problem that kept it from being read. */
type Read = { bytes: Uint8Array; cached?: ReadResult | undefined } | { problem: Problem };

/** Reads a file (within the size limit) and looks it up in the cache. */
async function readCached(
  entry: ArticleFile,
  limits: BuildLimits,
  cache: ParseCache | undefined,
): Promise<Read> {
  const content = await readChecked(entry, limits);
  if (!(content instanceof Uint8Array)) return { problem: content };
  return { bytes: content, cached: await cache?.load(entry.file, content) };
}

/**
 * An article file's bytes, or the problem when it is over MAX_ARTICLE_BYTES (then it is not
 * read). Read synchronously: for files of a few KB the thread pool's round trip cost more than
 * the read (about 2.5 s of 20,000 files on this machine, against a few hundred ms).
 */
async function readChecked(
  { file, path }: ArticleFile,
  limits: BuildLimits,
): Promise<Uint8Array | Problem> {
  const tooLarge = checkArticleSize(file, statSync(path).size, limits);
  return tooLarge ?? readFileSync(path);
}
