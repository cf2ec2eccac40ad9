// Bundles a Worker as `wrangler deploy` would upload it (`wrangler deploy --dry-run`), for the
// benchmark, the load run, the capacity measurement and the bundle-size test. No network, no
// account: no metrics, no banner, and an update check already answered.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';
import { PROJECT_ROOT, runChild } from './process.ts';

/** What to bundle and where. */
export interface BundleWorkerOptions {
  /** Folder for the bundle (`dist/`) and, with `entry` or `siteModule`, the entry and its wrangler.toml. */
  outDir: string;
  /**
   * Source of the Worker's entry module, written to `entry.js` in `outDir` (what it imports
   * must be there too, or absolute). Omitted, the project's wrangler.toml is bundled as it is,
   * its `[build]` included.
   */
  entry?: string;
  /**
   * A generated site module (written by runBuild's `outFile`) to serve: it and its Data module
   * are copied into `outDir` unless already there, and the entry is the app over that site, as
   * src/index.ts has it. src/generated is not touched.
   */
  siteModule?: string;
  /**
   * A Workers Static Assets folder (the build's `site.assets/`) for the generated config's
   * `[assets]`, with the `ASSETS` binding as the project's wrangler.toml has it: the dry run then
   * reads, hashes and checks every file of it (25 MiB per file) as `wrangler deploy` does.
   * Needs `entry` or `siteModule`.
   */
  assetsDir?: string;
  /** Give up after this long; 300 s when omitted. */
  timeoutMs?: number;
}

/** A bundled Worker: its module file and the sizes wrangler reports for it. */
export interface WorkerBundle {
  /** The folder it was bundled in. */
  dir: string;
  /** The main module wrangler wrote (absolute); the site's Data modules are beside it. */
  file: string;
  /** The wrangler config it was bundled from. */
  config: string;
  /** The uploaded modules (the script and its Data modules), raw and at zlib's default level, as wrangler's bundle reporter counts them. */
  bytes: number;
  gzipBytes: number;
  compatibilityDate: string;
  /** How long wrangler took. */
  wallMs: number;
  /** What wrangler printed (the bundle's modules and sizes, its notes about the assets). */
  output: string;
}

let compatibilityDate: Promise<string> | undefined;

/** The `compatibility_date` of the project's wrangler.toml, read once. */
export function readCompatibilityDate(): Promise<string> {
  compatibilityDate ??= readFile(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8').then((text) => {
    const project = parseToml(text) as { compatibility_date?: unknown };
    if (typeof project.compatibility_date !== 'string')
      throw new Error('wrangler.toml has no compatibility_date');
    return project.compatibility_date;
  });
  return compatibilityDate;
}

/** The entry of a Worker serving `./site.js` beside it: the same two lines as src/index.ts. */
function siteEntry(): string {
  return `import { createApp } from ${JSON.stringify(join(PROJECT_ROOT, 'src', 'app.ts'))};\nimport { site } from './site.js';\n\nexport default createApp({ site });\n`;
}

/** Runs `wrangler deploy --dry-run --outdir` and measures the modules it wrote. */
export async function bundleWorker(options: BundleWorkerOptions): Promise<WorkerBundle> {
  const date = await readCompatibilityDate();
  const outDir = resolve(options.outDir);
  let config = join(PROJECT_ROOT, 'wrangler.toml');
  let entry = options.entry;
  if (options.siteModule) {
    const from = dirname(resolve(options.siteModule));
    if (from !== outDir) {
      await copyFile(options.siteModule, join(outDir, 'site.js'));
      // The generated module imports its bodies from a Data module beside it.
      for (const name of await readdir(from)) {
        if (name.endsWith('.bin')) await copyFile(join(from, name), join(outDir, name));
      }
    }
    entry = siteEntry();
  }
  if (options.assetsDir !== undefined && entry === undefined)
    throw new Error('bundleWorker: assetsDir needs entry or siteModule');
  if (entry !== undefined) {
    await writeFile(join(outDir, 'entry.js'), entry);
    config = join(outDir, 'wrangler.toml');
    await writeFile(
      config,
      renderWranglerConfig({
        name: 'feed-publisher-bundle',
        main: 'entry.js',
        compatibilityDate: date,
        ...(options.assetsDir ? { assetsDir: relative(outDir, resolve(options.assetsDir)) } : {}),
      }),
    );
  }
  const dist = join(outDir, 'dist');
  const started = performance.now();
  const output = await runWrangler(
    ['deploy', '--dry-run', '--outdir', dist, '--config', config],
    outDir,
    options.timeoutMs ?? 300_000,
  );
  const wallMs = performance.now() - started;
  const files = await readdir(dist);
  const name = files.find((file) => file.endsWith('.js'));
  if (!name) throw new Error(`wrangler wrote no module into ${dist}`);
  // Every uploaded module counts: the script and the site's Data module.
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of files.filter((f) => f.endsWith('.js') || f.endsWith('.bin'))) {
    const content = await readFile(join(dist, file));
    bytes += content.byteLength;
    gzipBytes += gzipSync(content).byteLength;
  }
  return {
    dir: outDir,
    file: join(dist, name),
    config,
    bytes,
    gzipBytes,
    compatibilityDate: date,
    wallMs,
    output,
  };
}

/** What a generated wrangler.toml holds: the Worker, and optionally its assets and build step. */
export interface WranglerConfigOptions {
  name: string;
  /** Entry module, relative to the config's folder. */
  main: string;
  compatibilityDate: string;
  /** `[assets] directory`, relative to the config's folder, bound as `ASSETS` (as in the project's wrangler.toml). */
  assetsDir?: string;
  /** `[build] command` and `watch_dir` (relative to the config's folder), for `wrangler dev`. */
  build?: { command: string; watchDirs: string[] };
}

/** A wrangler.toml for a Worker the tools generate, laid out as the project's own. */
export function renderWranglerConfig(options: WranglerConfigOptions): string {
  const lines = [
    `name = ${JSON.stringify(options.name)}`,
    `main = ${JSON.stringify(options.main)}`,
    `compatibility_date = ${JSON.stringify(options.compatibilityDate)}`,
  ];
  if (options.build)
    lines.push(
      '',
      '[build]',
      `command = ${JSON.stringify(options.build.command)}`,
      `watch_dir = ${JSON.stringify(options.build.watchDirs)}`,
    );
  if (options.assetsDir !== undefined)
    lines.push(
      '',
      '[assets]',
      `directory = ${JSON.stringify(options.assetsDir)}`,
      'binding = "ASSETS"',
    );
  return `${lines.join('\n')}\n`;
}

/**
 * Profiles the Worker's startup with `wrangler check startup` (locally, in workerd) and returns
 * the profile's length and the time its samples spent outside `(idle)`, in milliseconds.
 */
export async function profileStartup(
  bundle: WorkerBundle,
  outFile: string,
): Promise<{ profileMs: number; busyMs: number }> {
  await runWrangler(
    ['check', 'startup', '--config', bundle.config, '--outfile', outFile],
    bundle.dir,
    180_000,
  );
  const profile = JSON.parse(await readFile(outFile, 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string } }>;
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const idle = new Set(
    profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id),
  );
  const busy = profile.samples.reduce(
    (sum, node, i) => sum + (idle.has(node) ? 0 : (profile.timeDeltas[i] ?? 0)),
    0,
  );
  return { profileMs: (profile.endTime - profile.startTime) / 1000, busyMs: busy / 1000 };
}

/** The project's wrangler CLI, run with `process.execPath` (the project's Node). */
export const WRANGLER_CLI = join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js');

/** `npm start`'s script: wrangler's dev server without `wrangler dev`'s per-file watchers. */
export const DEV_SERVER = join(PROJECT_ROOT, 'scripts/dev.ts');

/**
 * The arguments (after the project's Node) of an offline `npm start` on 127.0.0.1 at `port`,
 * with its own `--persist-to` state (so that it never shares Cache API entries with a running
 * `npm start`) and wrangler's output at `logLevel`; `config` when not the working folder's.
 */
export function devServerArgs(options: {
  port: number;
  persist: string;
  logLevel: 'log' | 'warn';
  config?: string;
}): string[] {
  return [
    DEV_SERVER,
    ...(options.config ? ['--config', options.config] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--persist-to',
    options.persist,
    '--log-level',
    options.logLevel,
  ];
}

/**
 * The environment of an offline wrangler: no metrics, no `cf` fetch, no banner, and an update
 * check already answered. Wrangler's update check caches its answer under TMPDIR: a fresh
 * answer in `<workDir>/tmp` means it never asks the registry.
 */
export async function prepareWranglerEnv(workDir: string): Promise<Record<string, string>> {
  const tmp = join(workDir, 'tmp');
  await mkdir(join(tmp, 'update-check'), { recursive: true });
  const version = (
    JSON.parse(
      await readFile(join(PROJECT_ROOT, 'node_modules/wrangler/package.json'), 'utf8'),
    ) as { version: string }
  ).version;
  await writeFile(
    join(tmp, 'update-check', 'wrangler-latest.json'),
    JSON.stringify({ latest: version, lastUpdate: Date.now() + 86_400_000 }),
  );
  return {
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    TMPDIR: tmp,
    NO_COLOR: '1',
  };
}

/**
 * Runs the project's wrangler offline, on every CPU even when this process is pinned to one (as
 * the benchmark pins itself), from the folder of its config so that `[build]` runs there; its output.
 */
async function runWrangler(args: string[], workDir: string, timeoutMs: number): Promise<string> {
  const config = args[args.indexOf('--config') + 1] ?? join(PROJECT_ROOT, 'wrangler.toml');
  const result = await runChild(process.execPath, [WRANGLER_CLI, ...args], {
    cwd: dirname(config),
    timeoutMs,
    allCores: true,
    env: await prepareWranglerEnv(workDir),
  });
  if (result.code !== 0) {
    const output = `${result.stdout}${result.stderr}`;
    throw new Error(
      `wrangler ${args.slice(0, 2).join(' ')} failed (${result.signal ?? `exit ${result.code}`}):\n${output.slice(-4000)}`,
    );
  }
  return `${result.stdout}${result.stderr}`;
}
