// `npm run bench`: builds synthetic sites of 200 to 20,000 articles in a temporary folder and
// prints, for each size, the build's cost, its static assets (files, bytes, the largest, the
// plan they need), `wrangler deploy --dry-run` of the Worker with its `[assets]`, the Worker's
// warm CPU per request inside workerd against constant-bytes controls, the first request of a
// fresh isolate, and for the largest size `npm start` (scripts/dev.ts, wrangler's dev server)
// with a warm build cache, with requests through the real asset tier.
// Options: --sizes 200,1000 (a subset), --quick (fewer and shorter rounds), --rounds N,
// --json FILE (also write every figure), --keep (keep the temporary folder), --build-only (the
// build, rebuild, assets, dry-run and `npm start` figures, without the workerd serving),
// --hugo (also Hugo's full build of the same articles, timed alternately with ours; implies
// --build-only), --hugo-rounds N (pairs, 3), --dev-rounds N (`npm start` starts, 3).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { formatBytes } from '../../src/content/limits.ts';
import { bundleWorker, type WorkerBundle } from '../support/bundle-worker.ts';
import { type CacheMode, type CacheServer, startCacheServer } from '../support/cache-server.ts';
import {
  CPU_COUNT,
  describeMachine,
  PROJECT_ROOT,
  pinSelf,
  readCpuSeconds,
  readMemoryKiB,
  readScheduledSeconds,
  runChild,
  runTimed,
  type TimedChildResult,
} from '../support/process.ts';
import {
  listModulesBeside,
  startWorkerd,
  type WorkerdProcess,
  type WorkerFiles,
} from '../support/workerd.ts';
import { generateArticles, slugOf } from './articles.ts';
import { type AssetsSummary, describePlan, summarizeAssets } from './assets.ts';
import type { BuildReport } from './build-site.ts';
import { type DevCheck, type DevStartRun, describeWatchLimits, runDevStart } from './dev-start.ts';
import { benchEntry, controlEntry } from './entries.ts';
import { requestOnce, runLoad } from './http-client.ts';
import { HUGO_BIN, hugoBuildArgs, readHugoVersion, writeHugoSite } from './hugo-site.ts';
import { formatNumber, formatRatio, median, renderTable } from './report.ts';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '200,1000,20000' },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    hugo: { type: 'boolean', default: false },
    'hugo-rounds': { type: 'string', default: '3' },
    'dev-rounds': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'usage: npm run bench -- [--sizes 200,1000,20000] [--quick] [--rounds N] [--json FILE] [--keep] [--build-only] [--hugo] [--hugo-rounds N] [--dev-rounds N]',
  );
  process.exit(0);
}
const SIZES = args.sizes.split(',').map((s) => Number(s.replaceAll('_', '').trim()));
if (SIZES.some((n) => !Number.isInteger(n) || n < 1 || n > 50_000)) {
  console.error(
    `--sizes must list whole numbers from 1 to 50000, got ${JSON.stringify(args.sizes)}`,
  );
  process.exit(2);
}
const QUICK = args.quick;
/** Build figures only, no serving (Hugo's side has nothing to serve). */
const BUILD_ONLY = args['build-only'] || args.hugo;
/** Alternating pairs (ours, Hugo to disk, Hugo in memory) per size. */
const HUGO_ROUNDS = Math.max(1, Number(args['hugo-rounds']) || 3);
/** `npm start` starts timed at the largest size, each with the warm build cache. */
const DEV_ROUNDS = Math.max(1, Number(args['dev-rounds']) || (QUICK ? 1 : 3));
/** The largest size: the one `npm start` runs on. */
const LARGEST = Math.max(...SIZES);
/** Interleaved A/B rounds per warm measurement. */
const ROUNDS = args.rounds ? Math.max(1, Number(args.rounds)) : QUICK ? 3 : 5;
/** Server CPU one warm round of the measured route should take; sets the fixed request count. */
const ROUND_CPU_SECONDS = QUICK ? 0.15 : 0.3;
const MIN_REQUESTS = QUICK ? 100 : 300;
const MAX_REQUESTS = 20_000;
const WARMUP_REQUESTS = QUICK ? 60 : 120;
const CONCURRENCY = 4;
/** Fresh workerd processes per cold target. */
const coldRounds = (n: number): number => (QUICK ? 2 : n >= 10_000 ? 3 : 5);
const FEED_PATHS = ['/rss.xml', '/atom.xml', '/feed.json'];
const SERVER_CPU = 1;
const CLIENT_CPU = 0;
const STARTUP_TIMEOUT_MS = 180_000;
/** Rebuilds measured per size, each after one article edited and one added. */
const REBUILD_ROUNDS = 3;
/** BUNDLE_LIMIT_MIB for a second build when the default budget refused the first. */
const RAISED_BUNDLE_LIMIT_MIB = '64';

/** One request shape. */
interface Target {
  path: string;
  headers?: Record<string, string>;
  status: number;
}

/** A measured route (A) and the control it is compared with (B). */
interface Pair {
  label: string;
  section: 'routes' | 'limits';
  bytes: number;
  a: Target;
  b: Target;
  cacheMode?: CacheMode;
  /** The route must not reach the Cache API during the rounds (checked on the cache service). */
  noCacheTraffic?: boolean;
}

/** Figures of one side of a pair over the rounds. */
interface Side {
  cpuUs: number[];
  scheduledUs: number[];
  rps: number[];
  utilization: number[];
}

interface PairResult {
  label: string;
  section: Pair['section'];
  bytes: number;
  path: string;
  status: number;
  controlPath: string;
  requestsPerRound: number;
  controlRequestsPerRound: number;
  a: Side;
  b: Side;
  cpuUs: number;
  controlCpuUs: number;
  /**
   * Median over the rounds of each round's CPU per request ÷ that of the control round run
   * right after it: adjacent rounds share the machine's background load, so this is the
   * figure quoted. (`cpuUs / controlCpuUs`, the ratio of the medians, is printed beside it.)
   */
  cpuRatio: number;
  rps: number;
  controlRps: number;
  rpsRatio: number;
}

interface ColdResult {
  label: string;
  path: string;
  status: number;
  /** Sent as soon as the socket accepts, with no pause after startup: spawn → answer is the figure. */
  immediate?: boolean;
  /** From spawn to the answer's last byte (startup, then the request at once), for `immediate`. */
  spawnToAnswerMs: number[];
  ttfbMs: number[];
  cpuMs: number[];
  startupMs: number[];
  startupCpuMs: number[];
  startupRssKiB: number[];
}

/** The deploy check: did the dry run accept the Worker and its assets, and what did it upload. */
interface DeployCheck {
  ok: boolean;
  bundle?: WorkerBundle;
  /** wrangler's own count of what it read from the assets folder (folders and ignored files included). */
  entriesRead?: number;
  wallMs: number;
  error?: string;
}

/** The Worker with only the control routes: its bundle, and its startup measured once at the start. */
interface ControlWorker {
  bundle: WorkerBundle;
  cold: ColdResult;
}

/** Cold rows the summary reads. */
const CONSTANT_WORKER_LABEL = 'constant Worker (control routes only), same rotation';
const DEPLOYED_RSS_LABEL = '/rss.xml, the deployed Worker (dry-run bundle)';
const SPAWN_DEPLOYED_LABEL = 'spawn → answer: the deployed Worker, /rss.xml';
const SPAWN_CONSTANT_LABEL = 'spawn → answer: constant Worker';

/** A build in a child process: its own report, and the same process timed from outside. */
type ChildBuild = BuildReport & {
  /** From the process's start to its output written (its own clock), in ms. */
  wallMs: number;
  /** From spawn to exit, in ms, measured as Hugo's build is. */
  exitMs: number;
  /** Peak RSS read from outside, as Hugo's is, in KiB. */
  exitMaxRssKiB: number;
};

/** One timed Hugo build. */
interface HugoRun {
  wallMs: number;
  maxRssKiB: number;
}

/** Hugo's full build beside ours on the same articles, alternating. */
interface HugoComparison {
  version: string;
  rssSource: TimedChildResult['rssSource'];
  /** Our full build without the cache, in the same rounds. */
  ours: ChildBuild[];
  toDisk: HugoRun[];
  toMemory: HugoRun[];
  /** What Hugo wrote to disk in its first run. */
  files?: number;
  bytes?: number;
  errors: string[];
}

interface SizeResult {
  articles: number;
  build?: ChildBuild;
  /** The same build without the cache (`--no-cache`), for what writing the cache costs a cold build. */
  uncached?: ChildBuild;
  /** The build with the cache after `--no-cache`, nothing changed (restores the assets manifest's keys). */
  unchanged?: ChildBuild;
  /** Builds with a warm cache, each after one article edited and one added. */
  rebuilds?: ChildBuild[];
  /** Why the build with the default [vars] refused, when it did. */
  defaultRefused?: string[];
  refused?: string[];
  /** The static assets folder the build (of exactly `articles` articles) wrote. */
  assets?: AssetsSummary;
  /** `wrangler deploy --dry-run` of the Worker as src/index.ts has it, with `[assets]` on the site's folder. */
  deploy?: DeployCheck;
  /** Path of the newest archive page of the site (held by the Worker, not an asset). */
  newestArchive?: string;
  /** `npm start` starts with a warm build cache (the largest size only). */
  dev?: DevStartRun[];
  siteBytes?: number;
  siteGzipBytes?: number;
  bundle?: WorkerBundle;
  workerdRssKiB?: { afterStartup: number; afterWarm: number; peak: number };
  hugo?: HugoComparison;
  warm?: PairResult[];
  cold?: ColdResult[];
  /** Fresh isolates of the site module alone, as JS and as data. */
  probes?: ColdResult[];
  /** Bytes on the wire of Worker-held documents, per coding asked for. */
  wire?: WireBytes[];
  errors: string[];
}

/** One document's bytes on the wire in each coding, as workerd sent them. */
interface WireBytes {
  path: string;
  identity: number;
  gzip: number;
  br: number;
}

/** The codings a reader can ask for, as the Accept-Encoding sent for each. */
const CODING_REQUESTS = { identity: 'identity', gzip: 'gzip', br: 'br' } as const;

const log = (line = ''): void => console.log(line);
const loadAverage = (): string =>
  readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number): string => `${formatNumber(bytes / 1024 / 1024, 1)} MiB`;
const seconds = (ms: number): string => `${formatNumber(ms / 1000, 2)} s`;
/** `hugo version`, when --hugo asked for the comparison and Hugo is installed. */
const HUGO_VERSION = args.hugo ? await readHugoVersion() : undefined;
const HUGO_MISSING =
  'hugo: not installed, so no Hugo row (`apt-get install hugo` puts Hugo 0.111 at /usr/bin/hugo on Debian 12)';

async function main(): Promise<void> {
  const machine = describeMachine();
  const workerdVersion = (
    await runChild(join(PROJECT_ROOT, 'node_modules/workerd/bin/workerd'), ['--version'], {
      timeoutMs: 10_000,
    })
  ).stdout.trim();
  log(`feed-publisher benchmarks (${QUICK ? 'quick' : 'full'}; sizes ${SIZES.join(', ')})`);
  log(
    `machine: ${machine.nproc} CPUs, ${machine.cpuModel}, ${formatNumber(machine.memoryGiB, 1)} GiB, Linux ${machine.kernel}`,
  );
  log(
    `node ${process.version}, ${workerdVersion}; workerd on CPU ${SERVER_CPU}, load generator on CPU ${CLIENT_CPU}${CPU_COUNT < 2 ? ' (one CPU: not pinned, figures are rough)' : ''}`,
  );
  if (args.hugo) log(HUGO_VERSION ?? HUGO_MISSING);
  log(
    `warm: ${ROUNDS} interleaved rounds (route, control, route, control…), ${CONCURRENCY} keep-alive connections, medians`,
  );
  const root = await mkdtemp(join(tmpdir(), 'feed-bench-'));
  // Ctrl-C: the 'exit' handler of scripts/support/workerd.ts stops the servers; the synthetic sites go too.
  process.once('SIGINT', () => {
    if (!args.keep) rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });
  const cache = await startCacheServer();
  const results: SizeResult[] = [];
  let control: ControlWorker | undefined;
  try {
    pinSelf(CLIENT_CPU);
    if (!BUILD_ONLY) control = await measureControlWorker(root, cache);
    for (const n of SIZES) results.push(await benchSize(n, root, cache, control));
    printSummary(results, control?.cold);
  } finally {
    pinSelf('all');
    await cache.close();
    if (args.keep) log(`\nkept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
  if (args.json) {
    await writeFile(
      args.json,
      `${JSON.stringify({ machine, node: process.version, workerd: workerdVersion, quick: QUICK, rounds: ROUNDS, baseline: control?.cold, results }, null, 2)}\n`,
    );
    log(`figures written to ${args.json}`);
  }
}

/** Startup and first request of a Worker with only the control routes: what any Worker costs. */
async function measureControlWorker(root: string, cache: CacheServer): Promise<ControlWorker> {
  const dir = join(root, 'control-only');
  await mkdir(dir, { recursive: true });
  const bundle = await bundleWorker({ outDir: dir, entry: controlEntry() });
  const result = emptyCold('control-only Worker', '/__control/100000');
  for (let i = 0; i < coldRounds(0); i++)
    await coldRequest(listModulesBeside(bundle.file), cache, result);
  log(
    `baseline: a Worker with only the control routes (${formatBytes(bundle.bytes, 'table')}) starts in ${formatNumber(median(result.startupMs), 0)} ms ` +
      `(${formatNumber(median(result.startupCpuMs), 0)} ms CPU, RSS ${mib(median(result.startupRssKiB) * 1024)}); first request TTFB ${formatNumber(median(result.ttfbMs), 2)} ms`,
  );
  return { bundle, cold: result };
}

async function benchSize(
  n: number,
  root: string,
  cache: CacheServer,
  control: ControlWorker | undefined,
): Promise<SizeResult> {
  const result: SizeResult = { articles: n, errors: [] };
  const dir = join(root, `n-${n}`);
  log(`\n=== ${formatNumber(n)} articles === (load average ${loadAverage()})`);
  await generateArticles({ dir: join(dir, 'articles'), count: n, newestBefore: Date.now() });
  // Before the builds below edit and add articles: both sides read the articles as generated.
  if (args.hugo && HUGO_VERSION) result.hugo = await compareWithHugo(dir, HUGO_VERSION);

  // 1. Build, in a child process of its own so that its peak RSS is the build's alone; first
  // with the defaults, then, if only the BUNDLE_LIMIT_MIB budget refused it, with the budget
  // raised to its maximum so that serving can still be measured.
  let build = await buildInChild(dir, {});
  if ('crashed' in build) {
    result.errors.push(build.crashed);
    log(`build: ${build.crashed}`);
    return result;
  }
  if (!build.ok) {
    log(
      `build with the default [vars]: refused after ${formatNumber(build.wallMs / 1000, 2)} s wall (runBuild ${formatNumber(build.buildMs / 1000, 2)} s, peak RSS ${mib(build.maxRssKiB * 1024)}):`,
    );
    for (const message of build.messages) log(`  ${message}`);
    result.defaultRefused = build.messages;
    if (!build.messages.every((m) => m.includes('BUNDLE_LIMIT_MIB'))) {
      result.build = build;
      result.refused = build.messages;
      // Refused at the bundle check, after every article was parsed and rendered: the rebuilds measure all of that.
      await measureRebuilds(n, dir, {}, result);
      return result;
    }
    log(
      `build again with BUNDLE_LIMIT_MIB = "${RAISED_BUNDLE_LIMIT_MIB}" to measure serving past the budget:`,
    );
    // From an empty cache again, so that the build figure stays a cold build's.
    await rm(join(dir, 'node_modules'), { recursive: true, force: true });
    build = await buildInChild(dir, { BUNDLE_LIMIT_MIB: RAISED_BUNDLE_LIMIT_MIB });
    if ('crashed' in build) {
      result.errors.push(build.crashed);
      log(`build: ${build.crashed}`);
      return result;
    }
    result.build = build;
    if (!build.ok) {
      result.refused = build.messages;
      for (const message of build.messages) log(`  ${message}`);
      await measureRebuilds(n, dir, { BUNDLE_LIMIT_MIB: RAISED_BUNDLE_LIMIT_MIB }, result);
      return result;
    }
  }
  result.build = build;
  const vars: Record<string, string> = result.defaultRefused
    ? { BUNDLE_LIMIT_MIB: RAISED_BUNDLE_LIMIT_MIB }
    : {};
  const site = await readFile(join(dir, 'site.js'));
  result.siteBytes = site.byteLength;
  result.siteGzipBytes = gzipSync(site).byteLength;
  log(
    `build: ${formatNumber(build.wallMs / 1000, 2)} s wall (runBuild ${formatNumber(build.buildMs / 1000, 2)} s), peak RSS ${mib(build.maxRssKiB * 1024)}; ` +
      `site module ${formatBytes(result.siteBytes, 'table')} (gzip ${formatBytes(result.siteGzipBytes, 'table')}) and its Data module; ` +
      `static assets: ${formatNumber(build.assets.files)} files, ${mib(build.assets.bytes)} (the build's own count)`,
  );
  for (const note of build.notes) log(`  note: ${note}`);
  // The folder as this build of exactly n articles left it, before the rebuilds add three.
  result.assets = await summarizeAssets(join(dir, 'site.assets'));
  printAssets(result.assets, build);
  await measureRebuilds(n, dir, vars, result);
  // 2. What `wrangler deploy` would upload: the Worker of src/index.ts and the assets folder.
  result.deploy = await checkDeploy(dir);

  if (!BUILD_ONLY) {
    // 3. The bench Worker (the app and the bench routes) on plain workerd, which has no asset
    // tier: only what the Worker itself answers is measured there; its ASSETS binding, where it
    // reads its bodies, is a workerd disk service over the site's assets folder.
    const bundle = await bundleWorker({ outDir: dir, entry: benchEntry() });
    result.bundle = bundle;
    log(
      `bench Worker bundle (for workerd, ASSETS a disk service): ${formatBytes(bundle.bytes, 'table')} (gzip ${formatBytes(bundle.gzipBytes, 'table')}; limit 64 MiB uncompressed)`,
    );
    // 4. Warm requests on one long-lived workerd.
    try {
      await measureWarm(n, bundle, cache, result);
    } catch (error) {
      result.errors.push(`warm: ${(error as Error).message}`);
      log(`warm: failed: ${(error as Error).message}`);
    }
    // 5. Cold first requests, each in a fresh workerd.
    if (result.warm && control) {
      try {
        await measureCold(n, bundle, cache, result, control);
      } catch (error) {
        result.errors.push(`cold: ${(error as Error).message}`);
        log(`cold: failed: ${(error as Error).message}`);
      }
    }
  }
  // 6. `npm start` with a warm build cache: scripts/dev.ts on the site, the real asset tier in front.
  if (n === LARGEST) await measureDevStart(n, dir, vars, result);
  return result;
}

/** The target of `npm start` with a warm cache: the first feed within this long of the spawn. */
const DEV_FIRST_FEED_TARGET_MS = 15_000;

/**
 * `npm start` with a warm build cache, DEV_ROUNDS times: scripts/dev.ts on the site (its
 * `[build]` the site's build with the cache the rebuilds left, `[assets]` its folder), timed
 * from spawn to the first 200 on /rss.xml; then requests that must be answered by the asset
 * tier (a settled archive feed, its HTML page, an article page, a `_redirects` 301) and by the
 * Worker (the feed, and a query that reads archived items through `env.ASSETS`).
 */
async function measureDevStart(
  n: number,
  dir: string,
  vars: Record<string, string>,
  result: SizeResult,
): Promise<void> {
  const rssType = 'application/rss+xml; charset=utf-8';
  const htmlType = 'text/html; charset=utf-8';
  const assetEtag = (res: Response): string | undefined =>
    /^"[0-9a-f]{32}"$/.test(res.headers.get('etag') ?? '')
      ? undefined
      : `ETag ${res.headers.get('etag')}, not the asset tier's "<32 hex>"`;
  const checks: DevCheck[] = [
    { label: 'the feed', path: '/rss.xml', status: 200, contentType: rssType, tier: 'worker' },
  ];
  if (existsSync(join(dir, 'site.assets', 'archive', '1', 'rss.xml')))
    checks.push(
      {
        label: 'a settled archive feed',
        path: '/archive/1/rss.xml',
        status: 200,
        contentType: rssType,
        tier: 'assets',
        inspect: (res, body) =>
          assetEtag(res) ??
          (/<rss[\s>]/.test(new TextDecoder().decode(body.subarray(0, 4096)))
            ? undefined
            : 'no <rss> element'),
      },
      {
        label: 'its HTML page',
        path: '/archive/1/',
        status: 200,
        contentType: htmlType,
        tier: 'assets',
        inspect: assetEtag,
      },
      {
        label: 'another spelling (_redirects)',
        path: '/archive/1',
        status: 301,
        tier: 'assets',
        inspect: (res) =>
          res.headers.get('location')?.endsWith('/archive/1/')
            ? undefined
            : `Location ${res.headers.get('location')}`,
      },
    );
  checks.push(
    {
      label: 'an article page',
      path: `/articles/${slugOf(Math.min(n - 1, 10))}`,
      status: 200,
      contentType: htmlType,
      tier: 'assets',
      inspect: assetEtag,
    },
    {
      label: 'a query of archived items (env.ASSETS)',
      path: '/feed.json?limit=100',
      status: 200,
      contentType: 'application/feed+json; charset=utf-8',
      tier: 'worker',
      inspect: (_res, body) => {
        const items = (JSON.parse(new TextDecoder().decode(body)) as { items?: unknown[] }).items;
        const expected = Math.min(100, n);
        return items?.length === expected
          ? undefined
          : `${items?.length} items, expected ${expected}`;
      },
    },
  );
  log(
    `\nnpm start with a warm build cache (${formatNumber(n)} articles, ${DEV_ROUNDS} run${DEV_ROUNDS === 1 ? '' : 's'}): scripts/dev.ts (wrangler's dev server) on the site, its [build] the site's build, [assets] site.assets/ behind the real asset tier; ` +
      `${describeWatchLimits()}; load average ${loadAverage()}`,
  );
  result.dev = [];
  for (let round = 1; round <= DEV_ROUNDS; round++) {
    const run = await runDevStart({ siteDir: dir, vars, checks, timeoutMs: 300_000 });
    result.dev.push(run);
    const build = run.build;
    log(
      `npm start ${round}: ${run.firstFeedMs !== undefined ? `first 200 on /rss.xml ${seconds(run.firstFeedMs)} after spawn` : `no feed: ${run.error}`}` +
        (build?.ok
          ? `; its build ${seconds(build.processMs)} (${build.cache ? `${build.cache.parse.hits} of ${build.cache.parse.hits + build.cache.parse.misses} parsed and ${build.cache.render.hits} of ${build.cache.render.hits + build.cache.render.misses} rendered from the cache, ` : ''}${formatNumber(build.assetsKept)} of ${formatNumber(build.assets.files)} asset files kept)`
          : build
            ? `; its build refused: ${build.messages.join(' | ')}`
            : ''),
    );
    if (run.error && run.firstFeedMs !== undefined) log(`  error: ${run.error}`);
    if (run.error) log(run.outputTail);
  }
  printDevStart(result.dev);
}

/** The `npm start` runs: where the time to the first feed went, and what each tier answered. */
function printDevStart(runs: DevStartRun[]): void {
  const at = (ms: number | undefined): string => (ms === undefined ? '–' : seconds(ms));
  log(
    renderTable(
      [
        'run',
        'spawn → [build] starts',
        '[build] (its own clock)',
        '→ bundled, local server starts',
        '→ "Ready on"',
        '→ first 200 /rss.xml (≤15 s)',
        'SIGINT → exit',
      ],
      runs.map((run, i) => [
        String(i + 1),
        at(run.buildStartMs),
        run.build ? seconds(run.build.processMs) : '–',
        at(run.serverStartMs),
        at(run.readyMs),
        `${at(run.firstFeedMs)}${run.firstFeedMs !== undefined && run.firstFeedMs > DEV_FIRST_FEED_TARGET_MS ? ' (over)' : ''}`,
        at(run.stopMs),
      ]),
    ),
  );
  const first = runs.find((run) => run.checks.length > 0);
  if (first) {
    log(
      'requests after the first feed (first run; asset tier = no X-Edge-Cache, which the Worker sets on every answer):',
    );
    log(
      renderTable(
        ['request', 'path', 'status', 'Content-Type', 'answered by', 'ms', 'problems'],
        first.checks.map((c) => [
          c.label,
          c.path,
          String(c.status),
          c.contentType || '–',
          c.tier === 'assets' ? 'asset tier' : 'Worker',
          formatNumber(c.ms, 1),
          c.problems.length > 0 ? c.problems.join('; ') : 'none',
        ]),
      ),
    );
  }
  const watcher = [...new Set(runs.flatMap((run) => run.watcherWarnings))];
  log(
    watcher.length > 0
      ? `file watcher warnings (chokidar; docs/static-assets.md §6):\n${watcher.map((line) => `  ${line}`).join('\n')}`
      : 'file watcher warnings (chokidar EMFILE/ENOSPC, docs/static-assets.md §6): none printed',
  );
  const warnings = [...new Set(runs.flatMap((run) => run.warnings))];
  if (warnings.length > 0)
    log(`other warnings wrangler printed:\n${warnings.map((line) => `  ${line}`).join('\n')}`);
}

/** The assets folder's figures, against Cloudflare's limits. */
function printAssets(assets: AssetsSummary, build: ChildBuild & { ok: true }): void {
  const agrees =
    assets.files === build.assets.files && assets.bytes === build.assets.bytes
      ? 'agrees with the build'
      : `the build counted ${formatNumber(build.assets.files)} files, ${formatNumber(build.assets.bytes)} bytes`;
  log(
    `static assets (site.assets/, walked in ${formatNumber(assets.walkMs)} ms; ${agrees}): ${formatNumber(assets.files)} files in ${formatNumber(assets.folders)} folders, ` +
      `${mib(assets.bytes)}; largest ${assets.largest.file} (${formatBytes(assets.largest.bytes, 'table')}, limit 25 MiB a file); ` +
      `plan needed: ${describePlan(assets)}${assets.tooBig.length > 0 ? `; over 25 MiB: ${assets.tooBig.join(', ')}` : ''}`,
  );
}

/**
 * `wrangler deploy --dry-run` of the Worker as src/index.ts has it, over the site module, with
 * `[assets]` on the site's folder: wrangler reads and hashes every asset file and refuses one
 * over 25 MiB, as a real deploy does before uploading (the file count per plan is the API's
 * check, which a dry run never reaches; the assets figures above judge it).
 */
async function checkDeploy(dir: string): Promise<DeployCheck> {
  const outDir = join(dir, 'deploy');
  await mkdir(outDir, { recursive: true });
  const started = performance.now();
  try {
    const bundle = await bundleWorker({
      outDir,
      siteModule: join(dir, 'site.js'),
      assetsDir: join(dir, 'site.assets'),
    });
    const read = /Read (\d+) files? from the assets directory/.exec(bundle.output);
    const check: DeployCheck = {
      ok: true,
      bundle,
      wallMs: performance.now() - started,
      ...(read ? { entriesRead: Number(read[1]) } : {}),
    };
    log(
      `deploy check: wrangler deploy --dry-run accepted the Worker and its [assets] in ${formatNumber(check.wallMs / 1000, 2)} s; ` +
        `Worker upload ${formatBytes(bundle.bytes, 'table')} (gzip ${formatBytes(bundle.gzipBytes, 'table')}; Cloudflare's limit: 64 MiB uncompressed on every plan)` +
        (read
          ? `; wrangler read ${formatNumber(Number(read[1]))} entries of the assets folder (files, folders and the control files)`
          : ''),
    );
    return check;
  } catch (error) {
    const message = (error as Error).message;
    log(`deploy check: wrangler deploy --dry-run refused it:\n${message}`);
    return { ok: false, wallMs: performance.now() - started, error: message.slice(-2000) };
  }
}

/**
 * The cold build without the cache, then REBUILD_ROUNDS builds with the cache the first build
 * left, each after one word of one article changed and one article added: what `npm start`
 * costs after an edit. Each runs as the first build did, in a child process of its own.
 * Between them, one build with the cache and nothing changed: a `--no-cache` build records no
 * keys in the assets folder's manifest, so the build after it renders every asset again; this
 * one puts the keys back, so that each rebuild starts from what a cached build left.
 */
async function measureRebuilds(
  n: number,
  dir: string,
  vars: Record<string, string>,
  result: SizeResult,
): Promise<void> {
  const uncached = await buildInChild(dir, vars, ['--no-cache']);
  if ('crashed' in uncached) {
    result.errors.push(uncached.crashed);
    return;
  }
  result.uncached = uncached;
  log(
    `build without the cache (--no-cache): ${formatNumber(uncached.wallMs / 1000, 2)} s wall${uncached.ok ? '' : ' (refused)'}, peak RSS ${mib(uncached.maxRssKiB * 1024)}`,
  );
  const unchanged = await buildInChild(dir, vars);
  if ('crashed' in unchanged) {
    result.errors.push(unchanged.crashed);
    return;
  }
  result.unchanged = unchanged;
  log(
    `build with the cache, nothing changed (after --no-cache): ${seconds(unchanged.wallMs)} wall${unchanged.ok ? '' : ' (refused)'}, peak RSS ${mib(unchanged.maxRssKiB * 1024)}` +
      (unchanged.ok
        ? `; static assets: ${formatNumber(unchanged.assetsKept)} of ${formatNumber(unchanged.assets.files)} files kept from the --no-cache build's folder`
        : ''),
  );
  result.rebuilds = [];
  const edited = join(dir, 'articles', `${slugOf(Math.min(n - 1, 3))}.md`);
  for (let round = 1; round <= REBUILD_ROUNDS; round++) {
    const text = await readFile(edited, 'utf8');
    // One word of the body, different each round; and one new article, the newest.
    const changed = text.replace(/\b(minister|officials|said|the)\b/, (word) => `${word}${round}`);
    if (changed === text) throw new Error(`${edited} has no word to change`);
    await writeFile(edited, changed);
    const added = (await readFile(edited, 'utf8'))
      .replace(/^title: .*$/m, `title: "Added in round ${round}"`)
      .replace(/^date: .*$/m, `date: ${new Date(Date.now() - 60_000).toISOString()}`);
    await writeFile(join(dir, 'articles', `added-${round}.md`), added);
    const rebuild = await buildInChild(dir, vars);
    if ('crashed' in rebuild) {
      result.errors.push(rebuild.crashed);
      return;
    }
    result.rebuilds.push(rebuild);
    const cache = rebuild.cache;
    log(
      `rebuild ${round} (one article edited, one added; warm cache): ${formatNumber(rebuild.wallMs / 1000, 2)} s wall${rebuild.ok ? '' : ' (refused at the bundle check)'}, peak RSS ${mib(rebuild.maxRssKiB * 1024)}` +
        (cache
          ? `; from the cache: ${cache.parse.hits} of ${cache.parse.hits + cache.parse.misses} parsed, ${cache.render.hits} of ${cache.render.hits + cache.render.misses} rendered, ${cache.compress.hits} of ${cache.compress.hits + cache.compress.misses} compressed`
          : '') +
        (rebuild.ok
          ? `; static assets: ${formatNumber(rebuild.assetsKept)} of ${formatNumber(rebuild.assets.files)} files kept from the last build`
          : ''),
    );
  }
}

/** Runs build-site.ts in a child process on every CPU; its report, or why it crashed. */
async function buildInChild(
  dir: string,
  vars: Record<string, string>,
  extraArgs: string[] = [],
): Promise<ChildBuild | { crashed: string }> {
  // The same V8 flags as `npm run build` and wrangler's [build] command; without serving, no
  // naive.json (the bench Worker's data), so that the process does nothing but the build.
  const child = await runTimed(
    process.execPath,
    [
      '--max-semi-space-size=32',
      join(PROJECT_ROOT, 'scripts/bench/build-site.ts'),
      dir,
      JSON.stringify(vars),
      ...extraArgs,
      ...(BUILD_ONLY ? ['--no-naive'] : []),
    ],
    {
      timeoutMs: 20 * 60_000,
      allCores: true,
    },
  );
  try {
    // Wall: from the child's start to its site written (what `npm run build` costs), not
    // including the bench's own work after it.
    const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as BuildReport;
    return {
      ...report,
      wallMs: report.processMs,
      exitMs: child.wallMs,
      exitMaxRssKiB: child.maxRssKiB,
    };
  } catch {
    const why = child.signal ? `killed by ${child.signal}` : `exit code ${child.code}`;
    return {
      crashed: `build crashed (${why}) after ${formatNumber(child.wallMs / 1000, 2)} s: ${(child.stderr || child.stdout).trim().split('\n').slice(-6).join(' | ')}`,
    };
  }
}

/**
 * Hugo's full build of the same articles beside ours: HUGO_ROUNDS rounds of our build without
 * the cache, Hugo writing to disk and Hugo rendering to memory, one after the other so that
 * both sides share the machine's load. Each is a whole child process on every CPU, timed from
 * spawn to exit, its peak RSS read the same way for both (runTimed). Hugo starts each run with
 * no output folder and no cache folder: it has caches (resources/_gen, --cacheDir) for images
 * and modules, but renders every markdown page again on every build anyway.
 */
async function compareWithHugo(dir: string, version: string): Promise<HugoComparison> {
  const hugoDir = join(dir, 'hugo');
  const publicDir = join(dir, 'hugo-public');
  await writeHugoSite(join(dir, 'articles'), hugoDir);
  const comparison: HugoComparison = {
    version,
    rssSource: 'wait4',
    ours: [],
    toDisk: [],
    toMemory: [],
    errors: [],
  };
  const runHugo = async (toMemory: boolean): Promise<HugoRun> => {
    for (const folder of [publicDir, join(hugoDir, 'resources'), join(hugoDir, 'cache')])
      await rm(folder, { recursive: true, force: true });
    const run = await runTimed(HUGO_BIN as string, hugoBuildArgs(hugoDir, publicDir, toMemory), {
      timeoutMs: 20 * 60_000,
      allCores: true,
    });
    comparison.rssSource = run.rssSource;
    if (run.code !== 0)
      throw new Error(
        `hugo${toMemory ? ' --renderToMemory' : ''} failed (${run.signal ?? `exit code ${run.code}`}): ${(run.stderr || run.stdout).trim().split('\n').slice(-6).join(' | ')}`,
      );
    return { wallMs: run.wallMs, maxRssKiB: run.maxRssKiB };
  };
  for (let round = 1; round <= HUGO_ROUNDS; round++) {
    const ours = await buildInChild(dir, {}, ['--no-cache']);
    if ('crashed' in ours) {
      comparison.errors.push(ours.crashed);
      log(`hugo comparison: ours ${ours.crashed}`);
      return comparison;
    }
    comparison.ours.push(ours);
    try {
      const disk = await runHugo(false);
      comparison.toDisk.push(disk);
      if (round === 1) {
        const files = (await readdir(publicDir, { recursive: true, withFileTypes: true })).filter(
          (entry) => entry.isFile(),
        );
        comparison.files = files.length;
        comparison.bytes = 0;
        for (const file of files)
          comparison.bytes += (await stat(join(file.parentPath, file.name))).size;
      }
      const memory = await runHugo(true);
      comparison.toMemory.push(memory);
      log(
        `hugo comparison, round ${round}: ours without the cache ${seconds(ours.exitMs)}${ours.ok ? '' : ' (refused at the bundle check)'}, peak RSS ${mib(ours.exitMaxRssKiB * 1024)}; ` +
          `Hugo to disk ${seconds(disk.wallMs)}, peak RSS ${mib(disk.maxRssKiB * 1024)}; Hugo --renderToMemory ${seconds(memory.wallMs)}, peak RSS ${mib(memory.maxRssKiB * 1024)}`,
      );
    } catch (error) {
      comparison.errors.push((error as Error).message);
      log(`hugo comparison: ${(error as Error).message}`);
      return comparison;
    }
  }
  return comparison;
}

/** The static assets of the site a bench Worker was bundled beside (its bodies, the query index, the archives). */
function assetsOf(bundle: WorkerBundle): string {
  return join(bundle.dir, 'site.assets');
}

async function measureWarm(
  n: number,
  bundle: WorkerBundle,
  cache: CacheServer,
  result: SizeResult,
): Promise<void> {
  cache.mode = 'miss';
  const server = await startWorkerd({
    ...listModulesBeside(bundle.file, assetsOf(bundle)),
    cachePort: cache.port,
    cpu: SERVER_CPU,
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
  });
  try {
    const port = server.port;
    const get = async (path: string, headers?: Record<string, string>) => {
      const res = await requestOnce({ port, path, ...(headers ? { headers } : {}) });
      if (res.status !== 200)
        throw new Error(
          `GET ${path} answered ${res.status}: ${res.body.toString('utf8').slice(0, 200)}\n${server.output()}`,
        );
      return res;
    };
    const slug = slugOf(Math.min(n - 1, 10));
    const rss = await get('/rss.xml');
    const atom = await get('/atom.xml');
    const json = await get('/feed.json');
    // Article pages published at build time and settled archive pages are static assets now:
    // workerd has no asset tier, so the Worker alone answers 404 for them (checked), and the
    // page measured is the newest archive page, which the Worker holds (the home links to it).
    const articlePath = `/articles/${slug}`;
    const articleStatus = (await requestOnce({ port, path: articlePath })).status;
    const home = await get('/');
    const older = /<a rel="next" href="([^"]+)"/.exec(home.body.toString('utf8'))?.[1];
    const newestArchive = older ? new URL(older, 'https://news.example/').pathname : undefined;
    const archive = newestArchive ? await get(newestArchive) : undefined;
    if (newestArchive) result.newestArchive = newestArchive;
    log(
      `\nworkerd serves the bench Worker without an asset tier (Worker-only routes; workerd has no [assets]): ${articlePath} (a static asset) answers ${articleStatus} from the Worker alone${articleStatus === 404 ? ', as expected' : ', EXPECTED 404'}; ` +
        `the newest archive page, in the Worker: ${newestArchive ?? 'none (fewer than two archive pages)'}`,
    );
    if (articleStatus !== 404)
      result.errors.push(
        `warm: ${articlePath} answered ${articleStatus} from the Worker, not 404: the article page is still in the Worker module`,
      );
    const naive = await get('/__naive/rss.xml');
    const gzip = await get('/__direct/gzip/rss.xml', { 'Accept-Encoding': 'gzip' });
    const etag = rss.headers.get('etag');
    if (!etag) throw new Error('/rss.xml has no ETag');
    const afterStartup = readMemoryKiB(server.pid).rss;
    const control = (bytes: number): Target => ({ path: `/__control/${bytes}`, status: 200 });
    const route = (path: string, headers?: Record<string, string>, status = 200): Target => ({
      path,
      status,
      ...(headers ? { headers } : {}),
    });
    const rssBytes = rss.body.byteLength;
    const query = await get('/feed.json?limit=20');
    // Bytes on the wire per coding: the three feeds, the home page, the newest archive page and
    // the largest body the Worker holds (an author's or a tag's feed, usually).
    const largest = result.build?.ok ? result.build.largest.path : undefined;
    const wirePaths = [
      ...new Set([
        ...FEED_PATHS,
        '/',
        ...(newestArchive ? [newestArchive] : []),
        ...(largest ? [largest] : []),
      ]),
    ];
    result.wire = [];
    for (const path of wirePaths) {
      const bytes: WireBytes = { path, identity: 0, gzip: 0, br: 0 };
      for (const [coding, value] of Object.entries(CODING_REQUESTS) as [
        keyof typeof CODING_REQUESTS,
        string,
      ][]) {
        const res = await get(path, { 'Accept-Encoding': value });
        const sent = res.headers.get('content-encoding') ?? 'identity';
        if (sent !== coding)
          throw new Error(`${path} with Accept-Encoding: ${value} came as ${sent}`);
        bytes[coding] = res.body.byteLength;
      }
      result.wire.push(bytes);
    }
    const brOf = async (path: string): Promise<number> =>
      (await get(path, { 'Accept-Encoding': 'br' })).body.byteLength;
    const br: Target = { path: '', status: 200, headers: { 'Accept-Encoding': 'br' } };
    const brPair = async (path: string): Promise<Pair> => ({
      label: `${path}, br`,
      section: 'routes',
      bytes: await brOf(path),
      a: { ...br, path },
      b: { ...br, path: `/__direct/br${path}` },
      noCacheTraffic: true,
    });
    const pairs: Pair[] = [
      // The app as deployed (EDGE_CACHE = "computed"): pre-rendered bodies never reach the Cache API.
      {
        label: '/rss.xml',
        section: 'routes',
        bytes: rssBytes,
        a: route('/rss.xml'),
        b: control(rssBytes),
        noCacheTraffic: true,
      },
      {
        label: '/atom.xml',
        section: 'routes',
        bytes: atom.body.byteLength,
        a: route('/atom.xml'),
        b: control(atom.body.byteLength),
        noCacheTraffic: true,
      },
      {
        label: '/feed.json',
        section: 'routes',
        bytes: json.body.byteLength,
        a: route('/feed.json'),
        b: control(json.body.byteLength),
        noCacheTraffic: true,
      },
      ...(archive && newestArchive
        ? [
            {
              label: `newest archive page ${newestArchive}`,
              section: 'routes',
              bytes: archive.body.byteLength,
              a: route(newestArchive),
              b: control(archive.body.byteLength),
              noCacheTraffic: true,
            } satisfies Pair,
          ]
        : []),
      // A br answer against the constant Worker route that sends the same br bytes and fields.
      await brPair('/rss.xml'),
      await brPair('/atom.xml'),
      await brPair('/feed.json'),
      {
        label: '/rss.xml 304 (If-None-Match)',
        section: 'routes',
        bytes: 0,
        a: route('/rss.xml', { 'If-None-Match': etag }, 304),
        b: { path: '/__control/304', status: 304 },
        noCacheTraffic: true,
      },
      {
        label: '/feed.json?limit=20, edge cache HIT',
        section: 'routes',
        bytes: query.body.byteLength,
        a: route('/feed.json?limit=20'),
        b: control(query.body.byteLength),
        cacheMode: 'hit',
      },
      {
        label: '/feed.json?limit=20, every request a MISS',
        section: 'routes',
        bytes: query.body.byteLength,
        a: route('/feed.json?limit=20'),
        b: control(query.body.byteLength),
      },
      {
        label: '/feed.json?limit=20, EDGE_CACHE = "off": computed every time',
        section: 'routes',
        bytes: query.body.byteLength,
        a: route('/__off/feed.json?limit=20'),
        b: control(query.body.byteLength),
        noCacheTraffic: true,
      },
      {
        label: '/feed.json?limit=20 br, EDGE_CACHE = "off": computed, compressed by workerd',
        section: 'routes',
        bytes: query.body.byteLength,
        a: route('/__off/feed.json?limit=20', { 'Accept-Encoding': 'br' }),
        b: control(query.body.byteLength),
        noCacheTraffic: true,
      },
      {
        label: '/feed.json?limit=20 gzip, EDGE_CACHE = "off": computed, compressed by workerd',
        section: 'routes',
        bytes: query.body.byteLength,
        a: route('/__off/feed.json?limit=20', { 'Accept-Encoding': 'gzip' }),
        b: control(query.body.byteLength),
        noCacheTraffic: true,
      },
      {
        label: 'naive: new Feed() + rss2() per request',
        section: 'routes',
        bytes: naive.body.byteLength,
        a: route('/__naive/rss.xml'),
        b: control(naive.body.byteLength),
      },
      {
        label: 'EDGE_CACHE = "all": /rss.xml, edge cache HIT',
        section: 'limits',
        bytes: rssBytes,
        a: route('/__all/rss.xml'),
        b: control(rssBytes),
        cacheMode: 'hit',
      },
      {
        label: 'EDGE_CACHE = "all": /rss.xml, every request a MISS',
        section: 'limits',
        bytes: rssBytes,
        a: route('/__all/rss.xml'),
        b: control(rssBytes),
      },
      {
        label: 'EDGE_CACHE = "all": /rss.xml 304',
        section: 'limits',
        bytes: 0,
        a: route('/__all/rss.xml', { 'If-None-Match': etag }, 304),
        b: { path: '/__control/304', status: 304 },
        noCacheTraffic: true,
      },
      {
        label: 'rss replayed without Hono: string body',
        section: 'limits',
        bytes: rssBytes,
        a: route('/__direct/text/rss.xml'),
        b: control(rssBytes),
      },
      {
        label: 'rss replayed without Hono: bytes encoded once',
        section: 'limits',
        bytes: rssBytes,
        a: route('/__direct/bytes/rss.xml'),
        b: control(rssBytes),
      },
      {
        label: 'rss bytes from a bare Hono route, no middleware',
        section: 'limits',
        bytes: rssBytes,
        a: route('/__hono/rss.xml'),
        b: control(rssBytes),
      },
      {
        label: 'rss replayed without Hono: gzip once, encodeBody manual',
        section: 'limits',
        bytes: gzip.body.byteLength,
        a: route('/__direct/gzip/rss.xml', { 'Accept-Encoding': 'gzip' }),
        b: control(gzip.body.byteLength),
      },
      {
        label: 'control with a Uint8Array body',
        section: 'limits',
        bytes: rssBytes,
        a: route(`/__control-bytes/${rssBytes}`),
        b: control(rssBytes),
      },
      {
        label: 'control with a two-byte string (one "…")',
        section: 'limits',
        bytes: rssBytes,
        a: route(`/__control-wide/${rssBytes}`),
        b: control(rssBytes),
      },
    ];
    result.warm = [];
    for (const pair of pairs) {
      cache.mode = pair.cacheMode ?? 'miss';
      try {
        result.warm.push(await measurePair(server, cache, pair));
      } finally {
        cache.mode = 'miss';
        cache.clear();
      }
    }
    const memory = readMemoryKiB(server.pid);
    result.workerdRssKiB = { afterStartup, afterWarm: memory.rss, peak: memory.peak };
    printWarm(n, result);
  } finally {
    await server.stop();
  }
}

async function measurePair(
  server: WorkerdProcess,
  cacheServer: CacheServer,
  pair: Pair,
): Promise<PairResult> {
  const load = (target: Target, count: number) =>
    runLoad({
      port: server.port,
      path: target.path,
      count,
      concurrency: CONCURRENCY,
      timeoutMs: Math.min(300_000, 30_000 + count * 50),
      ...(target.headers ? { headers: target.headers } : {}),
    });
  const check = (target: Target, statuses: Record<number, number>): void => {
    const wrong = Object.keys(statuses).filter((s) => Number(s) !== target.status);
    if (wrong.length > 0)
      throw new Error(
        `${target.path} answered ${JSON.stringify(statuses)}, expected only ${target.status}\n${server.output()}`,
      );
  };
  // Warm-up (JIT, lazy initialisation, the cache entry in "hit" mode), which also sizes the
  // rounds: each side gets the fixed request count that takes about ROUND_CPU_SECONDS.
  const warmUp = async (target: Target): Promise<number> => {
    const before = readScheduledSeconds(server.pid) ?? readCpuSeconds(server.pid);
    const res = await load(target, WARMUP_REQUESTS);
    const after = readScheduledSeconds(server.pid) ?? readCpuSeconds(server.pid);
    check(target, res.statuses);
    const perRequest = Math.max((after - before) / WARMUP_REQUESTS, 1e-6);
    return Math.max(
      MIN_REQUESTS,
      Math.min(MAX_REQUESTS, Math.ceil(ROUND_CPU_SECONDS / perRequest)),
    );
  };
  await warmUp(pair.a);
  await warmUp(pair.b);
  // Sized after a second warm-up, when the first requests' compilation is out of the way.
  const countA = await warmUp(pair.a);
  const countB = await warmUp(pair.b);
  const side = (): Side => ({ cpuUs: [], scheduledUs: [], rps: [], utilization: [] });
  const a = side();
  const b = side();
  const round = async (target: Target, count: number, into: Side): Promise<void> => {
    const cpu0 = readCpuSeconds(server.pid);
    const sched0 = readScheduledSeconds(server.pid);
    const res = await load(target, count);
    // Work the Worker left in waitUntil (edge-cache puts) belongs to these requests.
    await sleep(20);
    const cpu = readCpuSeconds(server.pid) - cpu0;
    const sched1 = readScheduledSeconds(server.pid);
    check(target, res.statuses);
    into.cpuUs.push((cpu / count) * 1e6);
    into.scheduledUs.push(
      sched0 !== undefined && sched1 !== undefined ? ((sched1 - sched0) / count) * 1e6 : Number.NaN,
    );
    into.rps.push(count / (res.wallMs / 1000));
    into.utilization.push(cpu / (res.wallMs / 1000));
  };
  const cacheRequests = cacheServer.requests;
  for (let r = 0; r < ROUNDS; r++) {
    await round(pair.a, countA, a);
    await round(pair.b, countB, b);
  }
  if (pair.noCacheTraffic && cacheServer.requests !== cacheRequests) {
    throw new Error(
      `${pair.a.path} reached the Cache API ${cacheServer.requests - cacheRequests} times: the bench Worker's caches shadow no longer works`,
    );
  }
  const cpuUs = median(a.cpuUs);
  const controlCpuUs = median(b.cpuUs);
  const rps = median(a.rps);
  const controlRps = median(b.rps);
  return {
    label: pair.label,
    section: pair.section,
    bytes: pair.bytes,
    path: pair.a.path,
    status: pair.a.status,
    controlPath: pair.b.path,
    requestsPerRound: countA,
    controlRequestsPerRound: countB,
    a,
    b,
    cpuUs,
    controlCpuUs,
    cpuRatio: median(a.cpuUs.map((us, i) => us / (b.cpuUs[i] ?? Number.NaN))),
    rps,
    controlRps,
    rpsRatio: rps / controlRps,
  };
}

function emptyCold(label: string, path: string, immediate = false): ColdResult {
  return {
    label,
    path,
    status: path.endsWith('/missing.xml') ? 404 : 200,
    ...(immediate ? { immediate } : {}),
    spawnToAnswerMs: [],
    ttfbMs: [],
    cpuMs: [],
    startupMs: [],
    startupCpuMs: [],
    startupRssKiB: [],
  };
}

/**
 * Starts a fresh workerd, sends one request, records it, stops workerd. The request waits
 * 100 ms after startup (the first request's own cost), or none for an `immediate` target
 * (spawn to answer, what a visitor of a fresh isolate waits).
 */
async function coldRequest(
  worker: WorkerFiles,
  cache: CacheServer,
  into: ColdResult,
): Promise<void> {
  const server = await startWorkerd({
    ...worker,
    cachePort: cache.port,
    cpu: SERVER_CPU,
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
  });
  const listening = performance.now();
  try {
    into.startupMs.push(server.startupMs);
    into.startupCpuMs.push((server.startupScheduledSeconds ?? server.startupCpuSeconds) * 1000);
    into.startupRssKiB.push(server.startupRssKiB);
    // Let startup's background work (compilation threads) finish before the request.
    if (!into.immediate) await sleep(100);
    const before = readScheduledSeconds(server.pid);
    const res = await requestOnce({ port: server.port, path: into.path });
    if (into.immediate)
      into.spawnToAnswerMs.push(server.startupMs + (performance.now() - listening));
    await sleep(30);
    const after = readScheduledSeconds(server.pid);
    if (res.status !== into.status)
      throw new Error(`cold GET ${into.path} answered ${res.status}\n${server.output()}`);
    into.ttfbMs.push(res.ttfbMs);
    into.cpuMs.push(
      before !== undefined && after !== undefined ? (after - before) * 1000 : Number.NaN,
    );
  } finally {
    await server.stop();
  }
}

async function measureCold(
  n: number,
  bundle: WorkerBundle,
  cache: CacheServer,
  result: SizeResult,
  control: ControlWorker,
): Promise<void> {
  cache.mode = 'miss';
  const rss = result.warm?.find((p) => p.path === '/rss.xml');
  const controlPath = `/__control/${rss?.bytes ?? 100_000}`;
  const bench = listModulesBeside(bundle.file, assetsOf(bundle));
  const constant = listModulesBeside(control.bundle.file);
  // The Worker exactly as `wrangler deploy` uploads it (src/index.ts over the site module), from
  // the deploy check's dry run, with the site's static assets, where its bodies are.
  const deployed =
    result.deploy?.bundle && listModulesBeside(result.deploy.bundle.file, assetsOf(bundle));
  const targets: [ColdResult, WorkerFiles][] = [
    [emptyCold('control (same Worker)', controlPath), bench],
    [emptyCold('/rss.xml', '/rss.xml'), bench],
    [emptyCold('/atom.xml', '/atom.xml'), bench],
    [emptyCold('/feed.json', '/feed.json'), bench],
    ...(result.newestArchive
      ? [
          [emptyCold('newest archive page (in the Worker)', result.newestArchive), bench] as [
            ColdResult,
            WorkerFiles,
          ],
        ]
      : []),
    [emptyCold('/rss.xml, EDGE_CACHE = "all" (a MISS)', '/__all/rss.xml'), bench],
    [emptyCold("the app's 404 (/missing.xml), through Hono", '/missing.xml'), bench],
    [emptyCold('naive rss2()', '/__naive/rss.xml'), bench],
    [emptyCold(CONSTANT_WORKER_LABEL, controlPath), constant],
    ...(deployed
      ? [
          [emptyCold(DEPLOYED_RSS_LABEL, '/rss.xml'), deployed] as [ColdResult, WorkerFiles],
          [emptyCold(SPAWN_DEPLOYED_LABEL, '/rss.xml', true), deployed] as [
            ColdResult,
            WorkerFiles,
          ],
        ]
      : []),
    [emptyCold(SPAWN_CONSTANT_LABEL, controlPath, true), constant],
  ];
  // What the site costs a fresh isolate by itself: the generated module alone behind a
  // one-line Worker (bundled by wrangler like the real one), and the same bytes as a Data
  // module, which workerd never parses as JavaScript.
  const dir = bundle.dir;
  const probeDir = join(dir, 'probe');
  await mkdir(probeDir, { recursive: true });
  for (const name of await readdir(dir)) {
    if (name === 'site.js' || name.endsWith('.bin'))
      await writeFile(join(probeDir, name), await readFile(join(dir, name)));
  }
  const jsProbe = await bundleWorker({
    outDir: probeDir,
    entry:
      "import { site } from './site.js';\nexport default { fetch: () => new Response(site ? 'ok' : '') };\n",
  });
  await writeFile(
    join(dir, 'probe-data.js'),
    "import data from './site.bin';\nexport default { fetch: () => new Response(String(data.byteLength)) };\n",
  );
  const probes: [ColdResult, WorkerFiles][] = [
    [
      emptyCold('site module alone (bundled like the Worker)', '/'),
      listModulesBeside(jsProbe.file),
    ],
    [
      emptyCold('same bytes as a Data module', '/'),
      {
        dir,
        modules: [
          { name: 'main.js', type: 'esModule', file: 'probe-data.js' },
          { name: 'site.bin', type: 'data', file: 'site.js' },
        ],
      },
    ],
  ];
  for (let r = 0; r < coldRounds(n); r++) {
    for (const [target, worker] of [...targets, ...probes])
      await coldRequest(worker, cache, target);
  }
  result.cold = targets.map(([target]) => target);
  result.probes = probes.map(([target]) => target);
  printCold(result, control.cold);
}

function printWarm(n: number, result: SizeResult): void {
  const warm = result.warm ?? [];
  const header = [
    'route',
    'body',
    'requests/round',
    'CPU µs/req',
    'control µs',
    'CPU ratio (paired)',
    '(of medians)',
    'req/s',
    'control req/s',
    'req/s ratio',
    'server busy',
  ];
  const rows = (section: Pair['section']) =>
    warm
      .filter((p) => p.section === section)
      .map((p) => [
        p.label,
        p.bytes === 0 ? '0' : formatBytes(p.bytes, 'table'),
        `${formatNumber(p.requestsPerRound)} / ${formatNumber(p.controlRequestsPerRound)}`,
        formatNumber(p.cpuUs, 1),
        formatNumber(p.controlCpuUs, 1),
        formatRatio(p.cpuRatio),
        formatRatio(p.cpuUs / p.controlCpuUs),
        formatNumber(p.rps),
        formatNumber(p.controlRps),
        formatRatio(p.rpsRatio),
        `${formatNumber(median(p.a.utilization) * 100)}%`,
      ]);
  log(
    `\nwarm requests, ${formatNumber(n)} articles, the app as deployed (EDGE_CACHE = "computed"; the cache service stores nothing unless a row says HIT); ` +
      'server CPU from /proc/<pid>/stat utime+stime over each round; control = a constant string of the same size in the same Worker; ' +
      'CPU ratio = median over the rounds of route ÷ the control round run right after it',
  );
  log(renderTable(header, rows('routes')));
  log(
    '\nwhat limits further gains (same method; each against a constant string of its own body size):',
  );
  log(renderTable(header, rows('limits')));
  printWire(result);
  const memory = result.workerdRssKiB;
  if (memory) {
    log(
      `workerd RSS: ${mib(memory.afterStartup * 1024)} after startup and the first requests; peak ${mib(memory.peak * 1024)} during the warm runs ` +
        '(each response copies its body outside the V8 heap and GC frees the copies lazily, so the peak follows the load, not the site)',
    );
  }
}

/** Bytes on the wire per document and coding, and the build's codings in the bundle. */
function printWire(result: SizeResult): void {
  const build = result.build?.ok ? result.build : undefined;
  const pct = (part: number, whole: number): string => `${formatNumber((100 * part) / whole, 1)}%`;
  log(
    '\nbytes on the wire per coding (workerd, Accept-Encoding: identity, gzip, br; % of identity):',
  );
  log(
    renderTable(
      ['document', 'identity', 'gzip', 'br', 'gzip %', 'br %'],
      (result.wire ?? []).map((w) => [
        `${w.path}${build && w.path === build.largest.path ? ` (the largest body${build.largest.br === 0 ? '; its br made by workerd, not stored' : ''})` : ''}`,
        formatNumber(w.identity),
        formatNumber(w.gzip),
        formatNumber(w.br),
        pct(w.gzip, w.identity),
        pct(w.br, w.identity),
      ]),
    ),
  );
  if (build) {
    const c = build.compression;
    const { bundle, workerFiles } = build;
    log(
      `the Worker's bodies: ${formatNumber(c.bodies)} (${mib(c.identityBytes)}), br ${mib(c.brBytes)}, gzip ${mib(c.gzipBytes)}, all pre-compressed; ` +
        `${formatNumber(workerFiles.files)} files of ${mib(workerFiles.bytes)} under /_worker/ in the static assets (with the query index); ` +
        `bundle estimate ${formatBytes(bundle.bytes, 'table')} / ${formatBytes(bundle.gzipBytes, 'table')} gzip`,
    );
  }
}

function printCold(result: SizeResult, baseline: ColdResult): void {
  const cold = result.cold ?? [];
  const control = cold[0];
  if (!control) return;
  const constant = cold.find((c) => c.label === CONSTANT_WORKER_LABEL);
  const controlTtfb = median(control.ttfbMs);
  const controlCpu = median(control.cpuMs);
  const constantTtfb = constant ? median(constant.ttfbMs) : Number.NaN;
  const row = (c: ColdResult, delta: boolean): string[] => [
    c.label,
    c.immediate ? formatNumber(median(c.spawnToAnswerMs), 1) : '',
    formatNumber(median(c.ttfbMs), 2),
    delta && !c.immediate ? formatNumber(median(c.ttfbMs) - controlTtfb, 2) : '',
    delta && !c.immediate && c !== constant ? formatNumber(median(c.ttfbMs) - constantTtfb, 2) : '',
    formatNumber(median(c.cpuMs), 2),
    delta && !c.immediate ? formatNumber(median(c.cpuMs) - controlCpu, 2) : '',
    formatNumber(median(c.startupMs)),
    formatNumber(median(c.startupCpuMs)),
    mib(median(c.startupRssKiB) * 1024),
  ];
  log(
    `\ncold: the first request of a fresh workerd (median of ${control.ttfbMs.length} processes each, targets rotating; TTFB from the client, CPU from schedstat), sent 100 ms after the socket accepts, ` +
      'except the "spawn → answer" rows, sent at once (spawn → the answer\'s last byte). workerd evaluates the modules at the first request, so that request carries the site module; ' +
      'startup is spawn to listening, mostly reading the embedded modules. The Worker module holds no settled pages (they are static assets, not served by workerd here):',
  );
  log(
    renderTable(
      [
        'first request',
        'spawn → answer ms',
        'TTFB ms',
        'Δ vs control ms',
        'Δ vs constant Worker ms (≤2)',
        'CPU ms',
        'Δ CPU ms',
        'startup ms',
        'startup CPU ms',
        'RSS at startup',
      ],
      [
        ...cold.map((c) => row(c, c !== control)),
        row({ ...baseline, label: 'constant Worker, measured once at the start' }, false),
        ...(result.probes ?? []).map((c) => row(c, false)),
      ],
    ),
  );
}

/** The Hugo comparison's table: each side's runs, min / median / max, and the ratio of medians. */
function printHugoComparison(results: SizeResult[]): void {
  if (!args.hugo) return;
  if (!HUGO_VERSION) {
    log(`\n${HUGO_MISSING}`);
    return;
  }
  const spread = (ms: number[]): string =>
    ms.length === 0
      ? '–'
      : `${formatNumber(Math.min(...ms) / 1000, 2)} / ${formatNumber(median(ms) / 1000, 2)} / ${formatNumber(Math.max(...ms) / 1000, 2)} s`;
  const memory = (kib: number[]): string =>
    kib.length === 0
      ? '–'
      : `${mib(median(kib) * 1024)} (max ${formatNumber(Math.max(...kib) / 1024, 0)})`;
  const rows: string[][] = [];
  for (const r of results) {
    const h = r.hugo;
    if (!h) continue;
    const hugoMedian = h.toDisk.length > 0 ? median(h.toDisk.map((x) => x.wallMs)) : Number.NaN;
    const ratio = (ms: number[]): string =>
      ms.length > 0 && Number.isFinite(hugoMedian) ? formatRatio(median(ms) / hugoMedian) : '–';
    const ours = h.ours.map((b) => b.exitMs);
    const rebuilds = (r.rebuilds ?? []).map((b) => b.exitMs);
    const n = formatNumber(r.articles);
    rows.push(
      [
        n,
        `ours, full build --no-cache${h.ours.some((b) => !b.ok) ? ': refused at the bundle check, timed to the refusal' : ''}`,
        String(ours.length),
        spread(ours),
        memory(h.ours.map((b) => b.exitMaxRssKiB)),
        ratio(ours),
      ],
      [
        n,
        `Hugo, written to disk${h.files !== undefined ? ` (${formatNumber(h.files)} files, ${mib(h.bytes ?? 0)})` : ''}`,
        String(h.toDisk.length),
        spread(h.toDisk.map((x) => x.wallMs)),
        memory(h.toDisk.map((x) => x.maxRssKiB)),
        '1.00x',
      ],
      [
        n,
        'Hugo, --renderToMemory',
        String(h.toMemory.length),
        spread(h.toMemory.map((x) => x.wallMs)),
        memory(h.toMemory.map((x) => x.maxRssKiB)),
        ratio(h.toMemory.map((x) => x.wallMs)),
      ],
      [
        n,
        `ours, rebuild with a warm cache (one article edited, one added)${(r.rebuilds ?? []).some((b) => !b.ok) ? ': refused at the bundle check' : ''}`,
        String(rebuilds.length),
        spread(rebuilds),
        memory((r.rebuilds ?? []).map((b) => b.exitMaxRssKiB)),
        ratio(rebuilds),
      ],
    );
    for (const error of h.errors) rows.push([n, `error: ${error}`, '', '', '', '']);
  }
  const first = results.find((r) => r.hugo)?.hugo;
  log(
    `\nHugo against our build, same articles (${first?.version ?? HUGO_VERSION}): ours, Hugo to disk and Hugo in memory run alternately, ` +
      `each a whole child process on every CPU, wall from spawn to exit, peak RSS ${first?.rssSource === 'VmHWM polled' ? 'from VmHWM polled every 20 ms' : 'from wait4 (/usr/bin/time %M)'}; ` +
      'ratio = median ÷ the median of Hugo to disk. Hugo renders each article page, home and section pages (paged by 20), the tag list, ' +
      "each tag's pages (paged by 20) and RSS feeds of 20 items, full content; ours renders each article page, the home page and each tag's " +
      "and author's page, RSS, Atom and JSON Feed, each with its whole paged archive, settled documents as static asset files and the rest into the Worker's module. The rebuilds run after the rounds, each on one more article (one more edited word):",
  );
  log(
    renderTable(
      [
        'articles',
        'build',
        'runs',
        'wall min / median / max',
        'peak RSS median (max, MiB)',
        '÷ Hugo to disk',
      ],
      rows,
    ),
  );
}

function printSummary(results: SizeResult[], baseline: ColdResult | undefined): void {
  log('\n=== summary against the targets (judged from these figures, not asserted) ===');
  if (!BUILD_ONLY) printServingSummary(results);
  printBuildSummary(results);
  printHugoComparison(results);
  printIssueTargets(results);
  printCodingTargets(results);
  const thousand = results.find((r) => r.articles === 1000);
  if (thousand?.build)
    log(
      `1,000-article build: ${formatNumber(thousand.build.wallMs / 1000, 2)} s wall (target ≤5 s)`,
    );
  for (const big of results.filter((r) => r.articles >= 10_000)) {
    const peak = big.build ? `, peak RSS ${mib(big.build.maxRssKiB * 1024)}` : '';
    log(
      `${formatNumber(big.articles)} articles: ${big.build?.ok ? 'built' : big.refused ? 'build refused' : 'build failed'}${peak}${big.errors.length > 0 ? `; ${big.errors.join('; ')}` : ''}`,
    );
  }
  if (baseline)
    log(`(startup of a Worker with no site: ${formatNumber(median(baseline.startupMs))} ms)`);
}

/** The serving figures of each size: warm CPU ratios, first requests, workerd's memory. */
function printServingSummary(results: SizeResult[]): void {
  const rows = results.map((r) => {
    const warm = r.warm ?? [];
    const ratioOf = (label: string): string => {
      const pair = warm.find((p) => p.label === label);
      return pair ? formatRatio(pair.cpuRatio) : '–';
    };
    const rss = warm.find((p) => p.label === '/rss.xml');
    const naive = warm.find((p) => p.path === '/__naive/rss.xml');
    const coldTtfb = worstColdDelta(r, (c) => c.ttfbMs);
    const coldCpu = worstColdDelta(r, (c) => c.cpuMs);
    const build = r.build;
    return [
      formatNumber(r.articles),
      build
        ? `${formatNumber(build.wallMs / 1000, 2)} s (${formatNumber(build.buildMs / 1000, 2)} s)${build.ok ? (r.defaultRefused ? ' (over the default budget)' : '') : ' (refused)'}`
        : r.errors.length > 0
          ? 'crashed'
          : '–',
      build ? mib(build.maxRssKiB * 1024) : '–',
      r.bundle
        ? `${formatBytes(r.bundle.bytes, 'table')} / ${formatBytes(r.bundle.gzipBytes, 'table')}`
        : '–',
      FEED_PATHS.map((path) =>
        formatRatio(
          warm.find((p) => p.path === path && p.section === 'routes')?.cpuRatio ?? Number.NaN,
        ),
      ).join(' '),
      formatRatio(
        warm.find((p) => r.newestArchive !== undefined && p.path === r.newestArchive)?.cpuRatio ??
          Number.NaN,
      ),
      ratioOf('/rss.xml 304 (If-None-Match)'),
      `${ratioOf('/feed.json?limit=20, edge cache HIT')} / ${ratioOf('/feed.json?limit=20, every request a MISS')} / ${ratioOf('/feed.json?limit=20, EDGE_CACHE = "off": computed every time')}`,
      `${ratioOf('EDGE_CACHE = "all": /rss.xml, edge cache HIT')} / ${ratioOf('EDGE_CACHE = "all": /rss.xml, every request a MISS')}`,
      naive && rss ? `${formatNumber(naive.cpuUs / rss.cpuUs, 1)}x` : '–',
      Number.isFinite(coldTtfb)
        ? `${formatNumber(coldTtfb, 2)} / ${formatNumber(coldCpu, 2)} ms`
        : '–',
      r.workerdRssKiB ? mib(r.workerdRssKiB.afterStartup * 1024) : '–',
    ];
  });
  log(
    renderTable(
      [
        'articles',
        'build wall (runBuild)',
        'build peak RSS',
        'bundle / gzip',
        'CPU ÷ control: rss atom json (≤1.25x)',
        'newest archive page',
        '304',
        'query HIT / MISS / no cache',
        'EDGE_CACHE=all rss HIT / MISS',
        'naive ÷ rss',
        'worst first request Δ vs constant Worker, TTFB / CPU (≤2 ms)',
        'workerd RSS at start',
      ],
      rows,
    ),
  );
  log(
    "(serving rows: the bench Worker on plain workerd, without an asset tier, so only the Worker's own routes; the assets are served in the `wrangler dev` step.)",
  );
}

/** The builds of each size: cold, without the cache, and the rebuilds. */
function printBuildSummary(results: SizeResult[]): void {
  log(
    '\nincremental builds: the cold build (empty cache, writing it), the same without the cache, one with the cache and nothing changed, and rebuilds with a warm cache after one article edited and one added (median, min–max; wall from process start to output written):',
  );
  log(
    renderTable(
      [
        'articles',
        'cold build',
        'peak RSS',
        '--no-cache',
        'peak RSS',
        'cached, nothing changed',
        'rebuild',
        'peak RSS',
        'asset files kept (of)',
        'outcome',
      ],
      results.map((r) => {
        const rebuilds = r.rebuilds ?? [];
        const walls = rebuilds.map((b) => b.wallMs / 1000);
        return [
          formatNumber(r.articles),
          r.build ? `${formatNumber(r.build.wallMs / 1000, 2)} s` : '–',
          r.build ? mib(r.build.maxRssKiB * 1024) : '–',
          r.uncached ? `${formatNumber(r.uncached.wallMs / 1000, 2)} s` : '–',
          r.uncached ? mib(r.uncached.maxRssKiB * 1024) : '–',
          r.unchanged ? seconds(r.unchanged.wallMs) : '–',
          walls.length > 0
            ? `${formatNumber(median(walls), 2)} s (${formatNumber(Math.min(...walls), 2)}–${formatNumber(Math.max(...walls), 2)})`
            : '–',
          rebuilds.length > 0 ? mib(median(rebuilds.map((b) => b.maxRssKiB)) * 1024) : '–',
          rebuilds
            .map((b) =>
              b.ok ? `${formatNumber(b.assetsKept)} (${formatNumber(b.assets.files)})` : '–',
            )
            .join(', ') || '–',
          rebuilds.length === 0
            ? '–'
            : rebuilds.every((b) => b.ok)
              ? 'built'
              : 'refused at the bundle check',
        ];
      }),
    ),
  );
}

/** The deployed Worker's first /rss.xml TTFB over the constant Worker's, in the same rotation (medians, or `of`). */
function deployedColdDelta(r: SizeResult, of: (ms: number[]) => number = median): number {
  const cold = r.cold ?? [];
  const deployed = cold.find((c) => c.label === DEPLOYED_RSS_LABEL);
  const constant = cold.find((c) => c.label === CONSTANT_WORKER_LABEL);
  return deployed && constant && deployed.ttfbMs.length > 0 && constant.ttfbMs.length > 0
    ? of(deployed.ttfbMs) - of(constant.ttfbMs)
    : Number.NaN;
}

/** The largest Δ of a feed's first request over the constant Worker's, in the same rotation. */
function worstColdDelta(r: SizeResult, of: (c: ColdResult) => number[]): number {
  const cold = r.cold ?? [];
  const constant = cold.find((c) => c.label === CONSTANT_WORKER_LABEL);
  if (!constant) return Number.NaN;
  const base = median(of(constant));
  const feeds = cold.filter(
    (c) => !c.immediate && (FEED_PATHS.includes(c.path) || c.label === DEPLOYED_RSS_LABEL),
  );
  return feeds.length > 0 ? Math.max(...feeds.map((c) => median(of(c)) - base)) : Number.NaN;
}

/**
 * The figures the issue "Archives of 20,000 articles" is judged by, one row per size: the full
 * build against Hugo's and its peak RSS, the rebuild, the deploy dry run with the assets, the
 * Worker's upload, the assets against Cloudflare's limits, a fresh workerd against the smallest
 * size's and a fresh isolate's first request against a constant Worker's, and `npm start`.
 */
function printIssueTargets(results: SizeResult[]): void {
  const smallest = results.find((r) => r.articles === Math.min(...SIZES));
  // Medians, and minimums beside them: on a shared machine one slow process moves a median of
  // a few, while the fastest of them shows what the bundle itself costs.
  const spawnOf = (r: SizeResult | undefined, of: (ms: number[]) => number = median): number => {
    const ms = r?.cold?.find((c) => c.label === SPAWN_DEPLOYED_LABEL)?.spawnToAnswerMs ?? [];
    return ms.length > 0 ? of(ms) : Number.NaN;
  };
  const fastest = (ms: number[]): number => Math.min(...ms);
  const spawnConstant = (r: SizeResult): number =>
    median(r.cold?.find((c) => c.label === SPAWN_CONSTANT_LABEL)?.spawnToAnswerMs ?? []);
  const GiB = 1024 * 1024;
  log(
    '\n"Archives of 20,000 articles", the targets (full builds: the cold build, --no-cache and the Hugo rounds\' own builds; peak RSS is the highest of them):',
  );
  log(
    renderTable(
      [
        'articles',
        'full build ÷ Hugo to disk (≤1.00x)',
        'full builds peak RSS (≤2 GiB)',
        'rebuild median (≤5 s)',
        'deploy --dry-run with [assets]',
        'Worker upload / gzip',
        'assets: files, MiB',
        'largest asset (≤25 MiB)',
        'plan needed',
      ],
      results.map((r) => {
        const full = [r.build, r.uncached, ...(r.hugo?.ours ?? [])].filter(
          (b): b is ChildBuild => b !== undefined,
        );
        const peakKiB = Math.max(...full.map((b) => Math.max(b.maxRssKiB, b.exitMaxRssKiB || 0)));
        const hugo = r.hugo;
        const hugoRatio =
          hugo && hugo.ours.length > 0 && hugo.toDisk.length > 0
            ? `${seconds(median(hugo.ours.map((b) => b.exitMs)))} ÷ ${seconds(median(hugo.toDisk.map((x) => x.wallMs)))} = ${formatRatio(median(hugo.ours.map((b) => b.exitMs)) / median(hugo.toDisk.map((x) => x.wallMs)))}`
            : args.hugo
              ? '–'
              : '(run with --hugo)';
        const rebuilds = (r.rebuilds ?? []).map((b) => b.wallMs);
        const deploy = r.deploy;
        const bundle = deploy?.bundle;
        return [
          formatNumber(r.articles),
          hugoRatio,
          full.length > 0
            ? `${formatNumber(peakKiB / GiB, 2)} GiB${peakKiB > 2 * GiB ? ' (over)' : ''}`
            : '–',
          rebuilds.length > 0
            ? `${seconds(median(rebuilds))}${median(rebuilds) > 5000 ? ' (over)' : ''}`
            : '–',
          deploy
            ? deploy.ok
              ? `accepted, ${seconds(deploy.wallMs)}`
              : `REFUSED: ${(deploy.error ?? '').split('\n').find((l) => /✘|ERROR|rror/.test(l)) ?? 'see above'}`
            : '–',
          bundle
            ? `${formatBytes(bundle.bytes, 'table')} / ${formatBytes(bundle.gzipBytes, 'table')}`
            : '–',
          r.assets ? `${formatNumber(r.assets.files)}, ${mib(r.assets.bytes)}` : '–',
          r.assets
            ? `${r.assets.largest.file} ${formatBytes(r.assets.largest.bytes, 'table')}${r.assets.tooBig.length > 0 ? ' (over)' : ''}`
            : '–',
          r.assets ? describePlan(r.assets) : '–',
        ];
      }),
    ),
  );
  if (BUILD_ONLY && !results.some((r) => r.dev)) return;
  log(
    `\nserving targets (fresh workerd: median of its processes, the deployed Worker's bundle; "vs ${formatNumber(smallest?.articles)}" = ÷ the smallest size of this run, ≤1.00x; npm start: wrangler dev, the largest size only)${BUILD_ONLY ? '; --build-only: no workerd, so only the npm start columns' : ''}:`,
  );
  log(
    renderTable(
      [
        'articles',
        'spawn → first answer, /rss.xml: median (min)',
        `vs ${formatNumber(smallest?.articles)} articles: medians (mins)`,
        'constant Worker, same rotation',
        'deployed Worker /rss.xml first request Δ vs constant Worker, TTFB: medians (mins) (≤2 ms)',
        'npm start: first 200 /rss.xml, median (max) (≤15 s)',
        'archive asset /archive/1/rss.xml',
        'watcher warnings',
      ],
      results.map((r) => {
        const spawn = spawnOf(r);
        const base = spawnOf(smallest);
        const spawnMin = spawnOf(r, fastest);
        const baseMin = spawnOf(smallest, fastest);
        const deltaMin = deployedColdDelta(r, fastest);
        const dev = r.dev ?? [];
        const firsts = dev.map((d) => d.firstFeedMs ?? Number.NaN);
        const archive = dev[0]?.checks.find((c) => c.path === '/archive/1/rss.xml');
        const delta = deployedColdDelta(r);
        return [
          formatNumber(r.articles),
          Number.isFinite(spawn)
            ? `${formatNumber(spawn, 1)} (${formatNumber(spawnMin, 1)}) ms`
            : '–',
          Number.isFinite(spawn) && Number.isFinite(base)
            ? `${formatRatio(spawn / base)} (${formatRatio(spawnMin / baseMin)})`
            : '–',
          Number.isFinite(spawnConstant(r)) ? `${formatNumber(spawnConstant(r), 1)} ms` : '–',
          Number.isFinite(delta)
            ? `${formatNumber(delta, 2)} (${formatNumber(deltaMin, 2)}) ms${delta > 2 ? ' (over)' : ''}`
            : '–',
          dev.length === 0
            ? '–'
            : firsts.every(Number.isFinite)
              ? `${seconds(median(firsts))} (${seconds(Math.max(...firsts))})${Math.max(...firsts) > DEV_FIRST_FEED_TARGET_MS ? ' (over)' : ''}`
              : `failed: ${dev.find((d) => d.firstFeedMs === undefined)?.error}`,
          archive
            ? `${archive.status} ${archive.contentType} from the ${archive.tier === 'assets' ? 'asset tier' : 'Worker'}${archive.problems.length > 0 ? ` (${archive.problems.join('; ')})` : ''}`
            : '–',
          dev.length === 0
            ? '–'
            : String(new Set(dev.flatMap((d) => d.watcherWarnings)).size || 'none'),
        ];
      }),
    ),
  );
}

/**
 * The figures issue 14 ("Every feed compressed on the wire") is judged by: the largest feed's
 * br against its identity bytes, a br answer's CPU against the constant Worker route sending the
 * same br bytes, and what the codings add to the bundle against the budget.
 */
function printCodingTargets(results: SizeResult[]): void {
  log('\n"Every feed compressed on the wire", the targets:');
  log(
    renderTable(
      [
        'articles',
        'largest body, identity → br (≤30%)',
        'br CPU ÷ constant br bytes: rss atom json (≤1.25x)',
        'query br / gzip (workerd compresses) ÷ identity control',
        'bundle gzip',
        "the Worker's bodies, all in br and gzip: files under /_worker/",
        'rebuild median',
      ],
      results.map((r) => {
        const build = r.build?.ok ? r.build : undefined;
        const warm = r.warm ?? [];
        const ratioOf = (label: string): string =>
          formatRatio(warm.find((p) => p.label === label)?.cpuRatio ?? Number.NaN);
        const largest = build?.largest;
        const wireLargest = r.wire?.find((w) => w.path === largest?.path);
        const brBytes = wireLargest?.br ?? largest?.br ?? 0;
        const rebuilds = (r.rebuilds ?? []).map((b) => b.wallMs);
        return [
          formatNumber(r.articles),
          largest
            ? `${largest.path}: ${formatNumber(largest.identity)} → ${formatNumber(brBytes)} B (${formatNumber((100 * brBytes) / largest.identity, 1)}%${largest.br === 0 ? ", workerd's br" : ''})`
            : '–',
          FEED_PATHS.map((path) => ratioOf(`${path}, br`)).join(' '),
          `${ratioOf('/feed.json?limit=20 br, EDGE_CACHE = "off": computed, compressed by workerd')} / ${ratioOf('/feed.json?limit=20 gzip, EDGE_CACHE = "off": computed, compressed by workerd')}`,
          build
            ? `${formatBytes(build.bundle.gzipBytes, 'table')}${r.defaultRefused ? ' (raised budget)' : ''}`
            : '–',
          build
            ? `${formatNumber(build.compression.bodies)}: ${formatNumber(build.workerFiles.files)} files`
            : '–',
          rebuilds.length > 0 ? seconds(median(rebuilds)) : '–',
        ];
      }),
    ),
  );
}

await main();
