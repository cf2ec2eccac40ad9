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

/** A file to parse: its name as problems report it, and its bytes. */
export interface ParseJob {
  file: string;
  bytes: Uint8Array;
}

/** Where files may be parsed off this thread (src/prerender/build-pool.ts), and from how many files to parse. */
export interface BatchParser {
  /** Fewest files to parse for which they go to `parse`; fewer are parsed on this thread. */
  minFiles: number;
  /** Parses a batch of files exactly as `parseArticle` does, results in their order; takes over their bytes. */
  parse(jobs: readonly ParseJob[]): Promise<ReadResult[]>;
  /** Files to send at a time. */
  batchSize: number;
  /** Batches to keep in flight at once, so that the next batch waits wherever a parser finishes one. */
  inFlight: number;
}

/**
 * Reads and parses article files; the results in the order of `files`. First every file's
 * stat and what the cache holds for it; then the files it does not hold are read (and, with a
 * cache, their digest looked up). Given a `parser` and at least its `minFiles` such files
 * (this counts too those whose stat changed but whose bytes did not: known only once read),
 * they are parsed there, a batch at a time, while this thread reads the next batches: parsing
 * is about 1.3 ms a file, reading and hashing a few hundredths of that. Only this thread
 * touches the files and the cache. Reads are synchronous (`readFileSync`): for files of a few
 * KB the thread pool's round trip cost more than the read (about 2.5 s of 20,000 files on this
 * machine, against a few hundred ms).
 */
export async function readArticles(
  files: readonly ArticleFile[],
  config: SiteConfig,
  limits: BuildLimits,
  cache?: ParseCache,
  parser?: BatchParser,
): Promise<ReadResult[]> {
  const results: (ReadResult | undefined)[] = [];
  const toRead: { index: number; stats: Stats; recalled: string | undefined }[] = [];
  for (const [index, { file, path }] of files.entries()) {
    // The stat comes before the read, so that an edit between the two shows in the next build's stat.
    const stats = statSync(path);
    const tooLarge = checkArticleSize(file, stats.size, limits);
    const recalled = tooLarge ? undefined : cache?.recall(file, stats);
    const known = recalled === undefined ? undefined : await cache?.load(file, recalled);
    results.push(tooLarge ? { problems: [tooLarge] } : known);
    if (!tooLarge && !known) toRead.push({ index, stats, recalled });
  }
  const pooled = parser !== undefined && toRead.length >= parser.minFiles;
  let stored = 0;
  /** Keeps a parse's result, in the cache too; waits for the cache's writes now and then. */
  const settle = async (index: number, digest: string | undefined, result: ReadResult) => {
    results[index] = result;
    if (digest === undefined || cache === undefined) return;
    cache.store((files[index] as ArticleFile).file, digest, result);
    if (++stored % STORE_BATCH === 0) await cache.drain?.();
  };
  type Sent = { index: number; digest: string | undefined }[];
  const inFlight: { sent: Sent; parsed: Promise<ReadResult[]> }[] = [];
  let batch: (ParseJob & { index: number; digest: string | undefined })[] = [];
  /** Hands the batch to the parser; then, with too many in flight, waits for the oldest and keeps its results, in file order. */
  const send = async (limit: number) => {
    if (parser && batch.length > 0) {
      const parsed = parser.parse(batch);
      // Waited for in order: one that fails while an earlier one is awaited must not go unhandled.
      parsed.catch(() => undefined);
      inFlight.push({ sent: batch.map(({ index, digest }) => ({ index, digest })), parsed });
      batch = [];
    }
    while (inFlight.length > limit) {
      const { sent, parsed } = inFlight.shift() as (typeof inFlight)[number];
      const answers = await parsed;
      for (const [i, { index, digest }] of sent.entries())
        await settle(index, digest, answers[i] as ReadResult);
    }
  };
  for (const { index, stats, recalled } of toRead) {
    const { file, path } = files[index] as ArticleFile;
    const bytes = readFileSync(path);
    let digest: string | undefined;
    if (cache) {
      digest = hash('sha256', bytes, 'hex');
      cache.record(file, stats, digest);
      const cached = digest === recalled ? undefined : await cache.load(file, digest);
      if (cached) {
        results[index] = cached;
        continue;
      }
    }
    if (!pooled) await settle(index, digest, parseArticle(file, bytes, config));
    else {
      batch.push({ file, bytes, index, digest });
      if (batch.length >= parser.batchSize) await send(parser.inFlight - 1);
    }
  }
  await send(0);
  return results as ReadResult[];
}
