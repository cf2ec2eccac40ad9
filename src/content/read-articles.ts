import { hash } from 'node:crypto';
import { readFileSync, type Stats, statSync } from 'node:fs';
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

/**
 * Where parsed articles may be kept between builds (src/prerender/build-cache.ts), under the
 * SHA-256 of the file's bytes (`digest`); absent, every file is parsed.
 */
export interface ParseCache {
  /** The digest of `file` as an earlier build read it, when its stat (`stats`, taken now) shows it unchanged since; undefined when it must be read. */
  recall(file: string, stats: Stats): string | undefined;
  /** Records the digest of the bytes read from `file`, whose stat before the read was `stats`. */
  record(file: string, stats: Stats, digest: string): void;
  /** The stored result of parsing the bytes of `digest` as `file`, if there is one for exactly these inputs. */
  load(file: string, digest: string): Promise<ReadResult | undefined>;
  /** Keeps the result of parsing the bytes of `digest` as `file`. */
  store(file: string, digest: string, result: ReadResult): void;
  /** Resolves once what was stored so far is written, so that unwritten entries never pile up in memory. */
  drain?(): Promise<void>;
}

/** Entries parsed between waits for the cache's writes. */
const STORE_BATCH = 64;

/**
 * Reads and parses article files, in order. Parsing stays on this thread: worker threads were
 * tried and were no faster (BENCHMARKS.md, "The build"). Reads are synchronous (`readCached`),
 * so there is nothing to gain by starting the next ones early.
 */
export async function readArticles(
  files: readonly ArticleFile[],
  config: SiteConfig,
  limits: BuildLimits,
  cache?: ParseCache,
): Promise<ReadResult[]> {
  const results: ReadResult[] = [];
  for (const entry of files) {
    const content = await readCached(entry, limits, cache);
    if ('problem' in content) {
      results.push({ problems: [content.problem] });
    } else if ('cached' in content) {
      results.push(content.cached);
    } else {
      const result = parseArticle(entry.file, content.bytes, config);
      if (content.digest !== undefined) cache?.store(entry.file, content.digest, result);
      results.push(result);
      if (results.length % STORE_BATCH === 0) await cache?.drain?.();
    }
  }
  return results;
}

/** What the cache holds for a file, or its bytes (and their digest, given a cache) to parse, or the problem that kept it from being read. */
type Read =
  | { cached: ReadResult }
  | { bytes: Uint8Array; digest?: string | undefined }
  | { problem: Problem };

/**
 * Looks a file up in the cache and reads it (within the size limit) when the cache does not
 * have it: a file whose stat is unchanged since an earlier build read it is not read again,
 * its digest is the recorded one. The stat comes before the read, so that an edit between
 * the two shows in the next build's stat. Read synchronously: for files of a few KB the
 * thread pool's round trip cost more than the read (about 2.5 s of 20,000 files on this
 * machine, against a few hundred ms).
 */
async function readCached(
  { file, path }: ArticleFile,
  limits: BuildLimits,
  cache: ParseCache | undefined,
): Promise<Read> {
  const stats = statSync(path);
  const tooLarge = checkArticleSize(file, stats.size, limits);
  if (tooLarge) return { problem: tooLarge };
  if (cache === undefined) return { bytes: readFileSync(path) };
  const recalled = cache.recall(file, stats);
  const known = recalled === undefined ? undefined : await cache.load(file, recalled);
  if (known) return { cached: known };
  const bytes = readFileSync(path);
  const digest = hash('sha256', bytes, 'hex');
  cache.record(file, stats, digest);
  const cached = digest === recalled ? undefined : await cache.load(file, digest);
  return cached ? { cached } : { bytes, digest };
}
