// `npm run load`: bundles the Worker as `wrangler deploy` would, runs it on plain `workerd
// serve` on 127.0.0.1 with a Cache API service that keeps what is put (as on a custom domain),
// and drives it from this process with a bounded number of requests: feeds, pages,
// conditional GETs answered 304, and unknown addresses answered 404. Prints errors, requests
// per second, latency percentiles, the workerd process's resident memory (RSS) before, halfway
// and after, and the Worker's JavaScript heap after a forced garbage collection (through the
// inspector) at the same points; the verdict on growth reads the heap, since workerd's RSS also
// holds freed memory the allocator keeps. Exits 1 when any request failed or got an unexpected
// answer, 2 when the heap kept growing.
//
// Options: --requests N (20000), --concurrency N (8), --time-limit SECONDS (180),
// --bundle FILE (serve a module wrangler already bundled instead of bundling the project),
// --assets DIR (the static assets it reads its bodies from; the project's src/generated/site.assets),
// --no-cache-api (a Cache API that stores nothing, as on a workers.dev subdomain).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBytes } from '../src/content/limits.ts';
import { slugify } from '../src/site/slug.ts';
import { bundleWorker } from './support/bundle-worker.ts';
import { type CacheServer, startCacheServer } from './support/cache-server.ts';
import { PROJECT_ROOT, readMemoryKiB } from './support/process.ts';
import { createRandom } from './support/random.ts';
import { listModulesBeside, startWorkerd, type WorkerdProcess } from './support/workerd.ts';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '8' },
    'time-limit': { type: 'string', default: '180' },
    bundle: { type: 'string' },
    assets: { type: 'string', default: join(PROJECT_ROOT, 'src/generated/site.assets') },
    'no-cache-api': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run load -- [--requests 20000] [--concurrency 8] [--time-limit 180] [--bundle dist/index.js] [--assets src/generated/site.assets] [--no-cache-api]',
  );
  process.exit(0);
}
const total = positiveInteger('requests', args.requests, 10_000_000);
const concurrency = positiveInteger('concurrency', args.concurrency, 256);
const timeLimitMs = positiveInteger('time-limit', args['time-limit'], 3600) * 1000;
const started = performance.now();
const deadline = started + timeLimitMs;

/** A kind of request in the mix, with its share and the status it must get. */
interface RequestKind {
  name: 'feed' | 'page' | 'not-modified' | 'not-found';
  weight: number;
  status: number;
}
const MIX: RequestKind[] = [
  { name: 'feed', weight: 35, status: 200 },
  { name: 'page', weight: 20, status: 200 },
  { name: 'not-modified', weight: 30, status: 304 },
  { name: 'not-found', weight: 15, status: 404 },
];

const workDir = await mkdtemp(join(tmpdir(), 'feed-publisher-load-'));
let worker: WorkerdProcess | undefined;
let cache: CacheServer | undefined;
try {
  let moduleFile = args.bundle;
  if (!moduleFile) {
    console.log('Bundling the Worker (wrangler deploy --dry-run, which runs the build first)…');
    const bundle = await bundleWorker({ outDir: workDir });
    console.log(
      `Bundle: ${formatBytes(bundle.bytes, 'table')} / gzip ${formatBytes(bundle.gzipBytes, 'table')}`,
    );
    moduleFile = bundle.file;
  }
  // A Cache API that keeps nothing (as on workers.dev) leaves every request to the isolate.
  cache = await startCacheServer();
  cache.mode = args['no-cache-api'] ? 'miss' : 'hit';
  const running = await startWorkerd({
    ...listModulesBeside(moduleFile, args.assets),
    cachePort: cache.port,
    inspector: true,
  });
  worker = running;
  const { base, pid: workerd } = running;
  console.log(`workerd (pid ${workerd}) serving at ${base.href}`);

  // What to ask for, learnt over HTTP as a reader would: the feeds, the index and the pages of
  // the tags the JSON feed lists, each with the ETag a polling reader keeps. Article pages are
  // settled static assets, which Cloudflare's asset tier answers without this Worker.
  const feed = (await (await fetch(new URL('/feed.json', base))).json()) as {
    items?: Array<{ tags?: string[] }>;
  };
  const feeds = ['/rss.xml', '/atom.xml', '/feed.json'];
  const tags = new Set((feed.items ?? []).flatMap((item) => item.tags ?? []));
  const pages = ['/', ...[...tags].map((tag) => `/tags/${encodeURIComponent(slugify(tag))}/`)];
  const etags = new Map<string, string>();
  for (const path of [...feeds, ...pages]) {
    const res = await fetch(new URL(path, base));
    await res.arrayBuffer();
    const etag = res.headers.get('etag');
    if (res.status !== 200 || !etag)
      throw new Error(`${path} answered ${res.status} without an ETag: is the build right?`);
    etags.set(path, etag);
  }
  console.log(
    `Targets: ${feeds.length} feeds, ${pages.length} pages; mix ${MIX.map((k) => `${k.name} ${k.weight}%`).join(', ')}; ${total} requests, concurrency ${concurrency}, time limit ${timeLimitMs / 1000} s`,
  );

  const random = createRandom(20261127);
  const weightSum = MIX.reduce((sum, kind) => sum + kind.weight, 0);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const nextRequest = (
    i: number,
  ): { kind: RequestKind; path: string; headers: Record<string, string> } => {
    let roll = random() * weightSum;
    const kind =
      MIX.find((k) => {
        roll -= k.weight;
        return roll < 0;
      }) ?? (MIX[0] as RequestKind);
    switch (kind.name) {
      case 'feed':
        return { kind, path: pick(feeds), headers: {} };
      case 'page':
        return { kind, path: pick(pages), headers: {} };
      case 'not-modified': {
        const path = pick([...feeds, ...pages]);
        return { kind, path, headers: { 'If-None-Match': etags.get(path) ?? '' } };
      }
      case 'not-found':
        return {
          kind,
          path: pick([
            `/articles/missing-${i}`,
            `/nope-${i}.json`,
            `/no/such/${i}`,
            `/archive/x${i}/rss.xml`,
          ]),
          headers: {},
        };
    }
  };

  // Warm-up, not measured: JIT, the edge cache, connection pools.
  await drive(Math.min(1000, total), nextRequest, base, () => {});
  const before = { rss: readMemoryKiB(workerd).rss, heap: await running.heapAfterGc() };
  // RSS and heap at every tenth of the run; the fifth is "halfway".
  const rss: number[] = [];
  const heap: Array<Promise<number>> = [];
  const result = await drive(total, nextRequest, base, (done) => {
    if (done < ((rss.length + 1) * total) / 10) return;
    rss.push(readMemoryKiB(workerd).rss);
    heap.push(running.heapAfterGc());
  });
  const heaps = await Promise.all(heap);
  const after = { rss: readMemoryKiB(workerd).rss, heap: await running.heapAfterGc() };
  const middle = { rss: rss[4] ?? after.rss, heap: heaps[4] ?? after.heap };

  const seconds = result.elapsedMs / 1000;
  const latencies = result.latencies.sort((a, b) => a - b);
  console.log('');
  console.log(
    `Requests:   ${result.done} of ${total}${result.timedOut ? ' (time limit reached)' : ''} in ${seconds.toFixed(1)} s`,
  );
  console.log(
    `Errors:     ${result.errors.length}${result.errors.length > 0 ? `\n  ${result.errors.slice(0, 10).join('\n  ')}` : ''}`,
  );
  console.log(`Throughput: ${(result.done / seconds).toFixed(0)} requests/s`);
  console.log(
    `Latency:    p50 ${percentile(latencies, 0.5)} ms, p90 ${percentile(latencies, 0.9)} ms, p99 ${percentile(latencies, 0.99)} ms, p99.9 ${percentile(latencies, 0.999)} ms, max ${percentile(latencies, 1)} ms`,
  );
  console.log(
    `Statuses:   ${[...result.statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ')}; X-Edge-Cache: HIT on ${result.hits} of ${result.done}`,
  );
  console.log(
    `workerd RSS:  before ${formatBytes(before.rss * 1024, 'table')}, halfway ${formatBytes(middle.rss * 1024, 'table')}, after ${formatBytes(after.rss * 1024, 'table')} (by tenths: ${rss.map((kib) => (kib / 1024).toFixed(0)).join(', ')} MiB)`,
  );
  console.log(
    `Worker heap:  before ${formatBytes(before.heap, 'table')}, halfway ${formatBytes(middle.heap, 'table')}, after ${formatBytes(after.heap, 'table')} (JS heap used after a forced GC; by tenths: ${heaps.map((b) => (b / 1024 / 1024).toFixed(1)).join(', ')} MiB)`,
  );
  // A heap that grows in the second half beyond noise (10%, at least 1 MiB) keeps something per request.
  const growth = after.heap - middle.heap;
  const growing = growth > Math.max(1024 * 1024, middle.heap * 0.1);
  console.log(
    `Memory:       ${growing ? `GROWING: the heap gained ${formatBytes(growth, 'table')} in the second half` : `stable: the heap changed by ${formatBytes(growth, 'table')} in the second half`}` +
      (after.rss > middle.rss
        ? `; RSS rose ${formatBytes((after.rss - middle.rss) * 1024, 'table')} (workerd grows its own pools and gives little back)`
        : ''),
  );
  process.exitCode = result.errors.length > 0 ? 1 : growing ? 2 : 0;
} finally {
  await worker?.stop();
  await cache?.close();
  await rm(workDir, { recursive: true, force: true });
}

/** What a run of requests gave. */
interface DriveResult {
  done: number;
  errors: string[];
  latencies: number[];
  statuses: Map<number, number>;
  hits: number;
  elapsedMs: number;
  timedOut: boolean;
}

/** Sends `count` requests from `concurrency` loops, stopping early at the deadline. */
async function drive(
  count: number,
  next: (i: number) => { kind: RequestKind; path: string; headers: Record<string, string> },
  base: URL,
  onProgress: (done: number) => void,
): Promise<DriveResult> {
  const result: DriveResult = {
    done: 0,
    errors: [],
    latencies: [],
    statuses: new Map(),
    hits: 0,
    elapsedMs: 0,
    timedOut: false,
  };
  const start = performance.now();
  let issued = 0;
  const loop = async (): Promise<void> => {
    while (issued < count) {
      if (performance.now() > deadline) {
        result.timedOut = true;
        return;
      }
      const i = issued++;
      const { kind, path, headers } = next(i);
      const t0 = performance.now();
      try {
        const res = await fetch(new URL(path, base), {
          headers,
          signal: AbortSignal.timeout(10_000),
        });
        const body = await res.arrayBuffer();
        result.latencies.push(performance.now() - t0);
        result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
        if (res.headers.get('x-edge-cache') === 'HIT') result.hits++;
        if (res.status !== kind.status)
          result.errors.push(`${kind.name} ${path}: expected ${kind.status}, got ${res.status}`);
        else if (res.status === 200 && body.byteLength === 0)
          result.errors.push(`${kind.name} ${path}: empty 200 body`);
        else if (res.status === 304 && body.byteLength !== 0)
          result.errors.push(`${kind.name} ${path}: 304 with a body`);
      } catch (error) {
        result.errors.push(`${kind.name} ${path}: ${(error as Error).message}`);
      }
      result.done++;
      onProgress(result.done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  result.elapsedMs = performance.now() - start;
  return result;
}

function percentile(sorted: readonly number[], p: number): string {
  if (sorted.length === 0) return '-';
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return (sorted[index] ?? 0).toFixed(2);
}

function positiveInteger(name: string, value: string | undefined, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(
      `--${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`,
    );
    process.exit(64);
  }
  return n;
}
