// Bundles the bench Worker for one synthetic site with `wrangler deploy --dry-run`, from a
// temporary wrangler config whose entry imports the site module the build wrote.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT, runChild } from './process.ts';

/** The compatibility date of the project's wrangler.toml. */
export const COMPATIBILITY_DATE = '2026-11-02';

/** A bundled Worker: its folder, the module file (relative to it) and its size as wrangler uploads it. */
export interface Bundle {
  dir: string;
  file: string;
  /** Data modules wrangler wrote beside it (the site's bodies), relative to `dir`. */
  dataFiles: string[];
  bytes: number;
  gzipBytes: number;
  wallMs: number;
}

/**
 * The entry of the bench Worker over `site.js` and `naive.json` beside it: the app built the
 * way src/index.ts builds it, and again with EDGE_CACHE = "all" and "off", inside the bench
 * routes of worker.ts.
 */
export function benchEntry(): string {
  const app = join(PROJECT_ROOT, 'src/app.ts');
  const worker = join(PROJECT_ROOT, 'scripts/bench/worker.ts');
  return [
    `import { createApp } from ${JSON.stringify(app)};`,
    `import { createBenchWorker } from ${JSON.stringify(worker)};`,
    `import { site } from './site.js';`,
    `import naive from './naive.json';`,
    "const appAll = createApp({ site: { ...site, config: { ...site.config, edgeCache: 'all' } } });",
    "const appOff = createApp({ site: { ...site, config: { ...site.config, edgeCache: 'off' } } });",
    'export default createBenchWorker({ app: createApp({ site }), appAll, appOff, naive });',
    '',
  ].join('\n');
}

/** The entry of a Worker with only the control routes (startup baseline). */
export function controlEntry(): string {
  const routes = join(PROJECT_ROOT, 'scripts/bench/control-routes.ts');
  return `import { createControlWorker } from ${JSON.stringify(routes)};\nexport default createControlWorker();\n`;
}

/**
 * Writes `entry.js` and `wrangler.toml` into `dir` and bundles them into `dir/dist`.
 * Wrangler runs offline: no metrics, no banner (and so no update check).
 */
export async function bundleWorker(dir: string, entrySource: string): Promise<Bundle> {
  await writeFile(join(dir, 'entry.js'), entrySource);
  await writeFile(join(dir, 'wrangler.toml'), `name = "feed-bench"\nmain = "entry.js"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`);
  // Wrangler's update check caches its answer under TMPDIR: a fresh answer there means it never asks.
  const tmp = join(dir, 'tmp');
  await mkdir(join(tmp, 'update-check'), { recursive: true });
  const version = JSON.parse(await readFile(join(PROJECT_ROOT, 'node_modules/wrangler/package.json'), 'utf8')).version as string;
  await writeFile(join(tmp, 'update-check', 'wrangler-latest.json'), JSON.stringify({ latest: version, lastUpdate: Date.now() + 86_400_000 }));
  const started = performance.now();
  const result = await runChild(
    process.execPath,
    [join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', 'dist', '--config', 'wrangler.toml'],
    {
      cwd: dir,
      timeoutMs: 300_000,
      allCores: true,
      env: { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true', TMPDIR: tmp, NO_COLOR: '1' },
    },
  );
  const wallMs = performance.now() - started;
  if (result.code !== 0) throw new Error(`wrangler could not bundle the bench Worker:\n${(result.stderr || result.stdout).slice(-2000)}`);
  const dataFiles = (await readdir(join(dir, 'dist'))).filter((name) => name.endsWith('.bin')).map((name) => `dist/${name}`);
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of ['dist/entry.js', ...dataFiles]) {
    const content = await readFile(join(dir, file));
    bytes += content.byteLength;
    gzipBytes += gzipSync(content).byteLength;
  }
  return { dir, file: 'dist/entry.js', dataFiles, bytes, gzipBytes, wallMs };
}
