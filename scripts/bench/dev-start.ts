// The bench's `npm start` step: scripts/dev.ts (what `npm start` runs: wrangler's dev server)
// on a bench site, as on the project (its `[build]` first, then the Worker with the site's static
// assets behind the real asset tier: router, asset worker, `_headers`, `_redirects`), timed from
// spawn to the first 200 on /rss.xml, then a few requests that show which tier answered. Started
// the way scripts/browser-test.ts starts it: the project's Node, offline, a free port, its own
// process group (stopped with SIGINT to the group) and its own `--persist-to` folder.
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  devServerArgs,
  prepareWranglerEnv,
  readCompatibilityDate,
  renderWranglerConfig,
} from '../support/bundle-worker.ts';
import {
  CPU_COUNT,
  findFreePort,
  PROJECT_ROOT,
  spawnGroup,
  waitForGroup,
} from '../support/process.ts';
import type { BuildReport } from './build-site.ts';

/** What to start, and what to ask it. */
export interface DevStartOptions {
  /** The bench site: articles/, site.js, site.assets/ and its warm build cache. */
  siteDir: string;
  /** Extra [vars] of the site's builds (the same as the rebuilds'). */
  vars: Record<string, string>;
  /** An article page, a settled archive feed and other paths to check once the feed answers. */
  checks: DevCheck[];
  /** Give up on the first feed after this long. */
  timeoutMs: number;
}

/** One request to the dev server, and what its answer must be. */
export interface DevCheck {
  label: string;
  path: string;
  status: number;
  contentType?: string;
  /** Which tier must answer: the Worker sets X-Edge-Cache on every answer, the asset tier never does. */
  tier: 'assets' | 'worker';
  /** More conditions on the answer; returns a problem, or undefined. */
  inspect?: (res: Response, body: Uint8Array) => string | undefined;
}

/** What one check saw. */
export interface DevCheckResult {
  label: string;
  path: string;
  status: number;
  contentType: string;
  tier: 'assets' | 'worker';
  ms: number;
  problems: string[];
}

/** One `npm start` run. */
export interface DevStartRun {
  /** From spawn to the first 200 on /rss.xml (its body read), in ms. */
  firstFeedMs?: number;
  /** From spawn to wrangler's "Ready on" line, when it printed one. */
  readyMs?: number;
  /** From spawn to the `[build]` command's start (its `[custom build] Running:` line). */
  buildStartMs?: number;
  /** From spawn to the build's report line (the build's own end). */
  buildDoneMs?: number;
  /** From spawn to wrangler's "Starting local server" (the Worker bundled, miniflare next). */
  serverStartMs?: number;
  /** The build's report, as `[build]` printed it. */
  build?: BuildReport;
  checks: DevCheckResult[];
  /** Lines about file watchers: EMFILE, ENOSPC, a watcher disabled. */
  watcherWarnings: string[];
  /** Lines wrangler printed as warnings or errors, other than those. */
  warnings: string[];
  /** From SIGINT to the process group to the process's exit. */
  stopMs?: number;
  error?: string;
  /** The last of wrangler's output. */
  outputTail: string;
}

/** The process's open-file limit and the kernel's inotify limits, which chokidar runs into. */
export function describeWatchLimits(): string {
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  const openFiles = /^Max open files\s+(\S+)\s+(\S+)/m.exec(read('/proc/self/limits'));
  return (
    `open files ${openFiles ? `${openFiles[1]} (hard ${openFiles[2]})` : '?'}, ` +
    `inotify max_user_watches ${read('/proc/sys/fs/inotify/max_user_watches')}, ` +
    `max_user_instances ${read('/proc/sys/fs/inotify/max_user_instances')}`
  );
}

/**
 * Writes the dev config into `<siteDir>/dev/`: the Worker of src/index.ts over the site's
 * `site.js`, `[assets]` on its `site.assets/` (bound as ASSETS), and a `[build]` that runs the
 * site's build as `npm run build` runs the project's (build-site.ts, with the same V8 flag and
 * the site's cache), watching articles/ as the project's `watch_dir` does.
 */
async function writeDevConfig(siteDir: string, vars: Record<string, string>): Promise<string> {
  const devDir = join(siteDir, 'dev');
  await mkdir(devDir, { recursive: true });
  const app = join(PROJECT_ROOT, 'src', 'app.ts');
  await writeFile(
    join(devDir, 'entry.js'),
    `import { createApp } from ${JSON.stringify(app)};\nimport { site } from '../site.js';\n\nexport default createApp({ site });\n`,
  );
  const quote = (arg: string): string => `'${arg.replaceAll("'", "'\\''")}'`;
  const command = [
    process.execPath,
    '--max-semi-space-size=32',
    join(PROJECT_ROOT, 'scripts/bench/build-site.ts'),
    siteDir,
    JSON.stringify(vars),
    '--no-naive',
  ]
    .map(quote)
    .join(' ');
  await writeFile(
    join(devDir, 'wrangler.toml'),
    renderWranglerConfig({
      name: 'feed-publisher-bench-dev',
      main: 'entry.js',
      compatibilityDate: await readCompatibilityDate(),
      assetsDir: relative(devDir, join(siteDir, 'site.assets')),
      build: { command, watchDirs: [relative(devDir, join(siteDir, 'articles'))] },
    }),
  );
  return devDir;
}

/** Runs `npm start` (scripts/dev.ts) on the site once: spawn, first feed, the checks, SIGINT. */
export async function runDevStart(options: DevStartOptions): Promise<DevStartRun> {
  const devDir = await writeDevConfig(options.siteDir, options.vars);
  const persist = join(devDir, 'state');
  await rm(persist, { recursive: true, force: true });
  const port = await findFreePort();
  const origin = `http://127.0.0.1:${port}`;
  // 'log', not 'info': the [build] command's output is printed at the 'log' level, as wrangler does.
  const args = devServerArgs({
    port,
    persist,
    logLevel: 'log',
    config: join(devDir, 'wrangler.toml'),
  });
  // On every CPU, as `npm start` runs, even though the bench pins itself to one.
  const [file, argv] =
    CPU_COUNT > 1
      ? ['taskset', ['-c', `0-${CPU_COUNT - 1}`, process.execPath, ...args]]
      : [process.execPath, args];
  const run: DevStartRun = { checks: [], watcherWarnings: [], warnings: [], outputTail: '' };
  const started = performance.now();
  let pending = '';
  const onLine = (line: string): void => {
    const at = performance.now() - started;
    if (process.env.BENCH_DEV_TRACE) console.log(`${(at / 1000).toFixed(2)} ${line}`);
    if (run.buildStartMs === undefined && /\[custom build\] Running:/.test(line))
      run.buildStartMs = at;
    if (run.serverStartMs === undefined && /Starting local server/.test(line))
      run.serverStartMs = at;
    if (run.readyMs === undefined && /Ready on /.test(line)) run.readyMs = at;
    const json = line.indexOf('{"ok":');
    if (json >= 0 && run.build === undefined) {
      try {
        run.build = JSON.parse(line.slice(json)) as BuildReport;
        run.buildDoneMs = at;
        return;
      } catch {
        // Not the report line after all.
      }
    }
    if (/EMFILE|ENOSPC|ENFILE|too many open files|watcher|file watchers/i.test(line))
      run.watcherWarnings.push(line.trim());
    else if (/^\s*(▲|✘|\[WARNING\]|\[ERROR\])|\bwarn(ing)?\b|\berror\b/i.test(line))
      run.warnings.push(line.trim());
  };
  const server = spawnGroup(file, argv, {
    cwd: devDir,
    env: { ...process.env, ...(await prepareWranglerEnv(devDir)) },
    onText: (text) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
  });
  const stop = async (): Promise<void> => {
    if (!server.running()) return;
    const stopping = performance.now();
    await server.stop();
    run.stopMs = performance.now() - stopping;
  };
  try {
    await waitForGroup(
      server,
      'npm start (scripts/dev.ts) answering 200 on /rss.xml',
      options.timeoutMs,
      async () => {
        const res = await fetch(`${origin}/rss.xml`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
      50,
    );
    run.firstFeedMs = performance.now() - started;
    for (const check of options.checks) run.checks.push(await runCheck(origin, check));
  } catch (error) {
    run.error = (error as Error).message;
  } finally {
    await stop();
    if (pending) onLine(pending);
    run.outputTail = server.output().slice(-4000);
    await rm(persist, { recursive: true, force: true });
  }
  return run;
}

/** Sends one check's request (no redirects followed) and says what differs from what it expects. */
async function runCheck(origin: string, check: DevCheck): Promise<DevCheckResult> {
  const started = performance.now();
  const res = await fetch(`${origin}${check.path}`, {
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const body = new Uint8Array(await res.arrayBuffer());
  const ms = performance.now() - started;
  const contentType = res.headers.get('content-type') ?? '';
  const tier = res.headers.has('x-edge-cache') ? 'worker' : 'assets';
  const problems: string[] = [];
  if (res.status !== check.status) problems.push(`status ${res.status}, expected ${check.status}`);
  if (check.contentType !== undefined && contentType !== check.contentType)
    problems.push(`Content-Type ${JSON.stringify(contentType)}, expected ${check.contentType}`);
  if (tier !== check.tier)
    problems.push(`answered by the ${tier === 'worker' ? 'Worker' : 'asset tier'}`);
  const more = check.inspect?.(res, body);
  if (more) problems.push(more);
  return {
    label: check.label,
    path: check.path,
    status: res.status,
    contentType,
    tier,
    ms,
    problems,
  };
}
