// Child process of the benchmark: runs the project's build over a synthetic site and reports
// its own wall time and peak memory as one JSON line on stdout. Run alone, a process measures
// only this build: `node scripts/bench/build-site.ts <site-dir> [extra-vars-json] [--no-cache]
// [--no-naive]` (articles/ inside it; writes site.js, its static assets in site.assets/ and,
// unless --no-naive, naive.json next to it, for the serving measurements; the build cache goes
// to node_modules/.cache/feed-publisher/ inside it). It is also the `[build] command` of the
// bench's `wrangler dev` step.
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleSize } from '../../src/prerender/bundle-size.ts';
import type { CompressionStats } from '../../src/prerender/compress.ts';
import type { CacheStats, PoolStats } from '../../src/prerender/run.ts';
import type { BuiltSite } from '../../src/site/types.ts';
import { keepCompiledCode } from '../support/compile-cache.ts';
import type { NaiveData, NaiveItem } from './worker.ts';

/** Site settings of every benchmark build. */
const BENCH_VARS = {
  SITE_URL: 'https://news.example',
  SITE_TITLE: 'Bench Dispatch',
  SITE_DESCRIPTION: 'Synthetic articles for the benchmarks.',
  SITE_LANGUAGE: 'en',
  SITE_AUTHOR: 'The bench desk',
  SITE_ID: 'tag:news.example,2026:',
  FEED_ITEM_LIMIT: '20',
  TIME_ZONE: 'UTC',
} as const;

/** What the build child prints. */
export type BuildReport =
  | {
      ok: true;
      articleCount: number;
      buildMs: number;
      processMs: number;
      maxRssKiB: number;
      siteBytes: number;
      /** Static asset files the build wrote or kept, and their bytes (the build's own tally). */
      assets: { files: number; bytes: number };
      /** Of those, files kept from an earlier build (left in place or hard-linked) instead of rendered. */
      assetsKept: number;
      notes: string[];
      cache?: CacheStats;
      /** Files parsed and articles rendered on the build's worker threads. */
      pool?: PoolStats;
      /** The Worker's bodies in br and gzip (src/prerender/compress.ts). */
      compression: CompressionStats;
      /** The bundle's estimate, and the Worker's own files in the static assets (bodies in every coding, the query index). */
      bundle: BundleSize;
      workerFiles: { files: number; bytes: number };
      /** The Worker's largest body: its path and bytes in each coding (0 when the build compressed nothing). */
      largest: { path: string; identity: number; br: number; gzip: number };
    }
  | {
      ok: false;
      messages: string[];
      buildMs: number;
      processMs: number;
      maxRssKiB: number;
      cache?: CacheStats;
      pool?: PoolStats;
    };

const siteDir = process.argv[2];
if (!siteDir) {
  console.error(
    'usage: node scripts/bench/build-site.ts <site-dir> [extra-vars-json] [--no-cache] [--no-naive]',
  );
  process.exit(2);
}
const extraVars = JSON.parse(process.argv[3] ?? '{}') as Record<string, string>;
const flags = process.argv.slice(4);
const cache = !flags.includes('--no-cache');
const naive = !flags.includes('--no-naive');
// As scripts/build.ts does, so that a bench rebuild costs what `npm run build` costs.
keepCompiledCode(siteDir);
const { runBuild } = await import('../../src/prerender/run.ts');
const { measureBundle } = await import('../../src/prerender/bundle-size.ts');
const { renderSiteModule } = await import('../../src/prerender/site-module.ts');
const started = performance.now();
const result = await runBuild({
  root: siteDir,
  articlesDir: 'articles',
  outFile: 'site.js',
  vars: { ...BENCH_VARS, ...extraVars },
  now: Date.now(),
  cache,
  cacheDir: 'node_modules/.cache/feed-publisher',
});
const buildMs = performance.now() - started;
// Node's clock starts with the process: this is what `npm run build` costs, bar npm itself,
// and leaves out the bench's own work below (reading the app's feed for the naive route).
const processMs = performance.now();
// ru_maxrss of this process, in KiB on Linux.
const maxRssKiB = process.resourceUsage().maxRSS;
if (!result.ok) {
  const report: BuildReport = {
    ok: false,
    messages: result.messages.slice(0, 20),
    buildMs,
    processMs,
    maxRssKiB,
    ...(result.cache ? { cache: result.cache } : {}),
    ...(result.pool ? { pool: result.pool } : {}),
  };
  console.log(JSON.stringify(report));
} else {
  if (naive) await writeNaiveData(siteDir, result.site);
  // Measured after processMs: the bundle the build wrote, and the files it put beside it.
  const generated = renderSiteModule(result.site);
  const bundle = await measureBundle(generated);
  const workerFiles = {
    files: generated.files.length,
    bytes: generated.files.reduce((sum, file) => sum + file.bytes.byteLength, 0),
  };
  const report: BuildReport = {
    ok: true,
    articleCount: result.articleCount,
    buildMs,
    processMs,
    maxRssKiB,
    siteBytes: statSync(join(siteDir, 'site.js')).size,
    assets: result.site.assets,
    assetsKept: result.assetsKept,
    notes: result.notes,
    ...(result.cache ? { cache: result.cache } : {}),
    ...(result.pool ? { pool: result.pool } : {}),
    compression: result.compression,
    bundle,
    workerFiles,
    largest: findLargest(result.site),
  };
  console.log(JSON.stringify(report));
}

/** The Worker's largest body, and the bytes of its codings. */
function findLargest(site: BuiltSite): {
  path: string;
  identity: number;
  br: number;
  gzip: number;
} {
  let largest = { path: '', identity: 0, br: 0, gzip: 0 };
  for (const [path, versions] of Object.entries(site.routes))
    for (const version of versions) {
      const identity = version.parts.reduce(
        (sum, part) => sum + Buffer.byteLength(site.chunks[part] ?? ''),
        0,
      );
      if (identity <= largest.identity) continue;
      const { br = -1, gzip = -1 } = version.codings ?? {};
      largest = {
        path,
        identity,
        br: site.coded[br]?.byteLength ?? 0,
        gzip: site.coded[gzip]?.byteLength ?? 0,
      };
    }
  return largest;
}

/** Writes naive.json, the data of the bench Worker's naive route: the app's /feed.json items. */
async function writeNaiveData(siteDir: string, site: unknown): Promise<void> {
  // The naive route's data comes through the app's public route, not the site's internals.
  // The app is Worker code: imported by a computed path so that the Node type check of
  // scripts/ leaves it to the Worker type check.
  const appModule = join(import.meta.dirname, '../../src/app.ts');
  const { createApp } = (await import(appModule)) as {
    createApp(options: { site: unknown }): {
      fetch(request: Request): Response | Promise<Response>;
    };
  };
  const app = createApp({ site });
  const res = await app.fetch(new Request(`${BENCH_VARS.SITE_URL}/feed.json`));
  const feed = (await res.json()) as { items?: Array<Record<string, unknown>> };
  const items: NaiveItem[] = (feed.items ?? []).map((item) => ({
    id: String(item.id),
    url: String(item.url),
    title: String(item.title ?? ''),
    summary: String(item.summary ?? ''),
    contentHtml: String(item.content_html ?? ''),
    publishedAt: String(item.date_published),
  }));
  const data: NaiveData = { title: BENCH_VARS.SITE_TITLE, home: `${BENCH_VARS.SITE_URL}/`, items };
  await writeFile(join(siteDir, 'naive.json'), JSON.stringify(data));
}
