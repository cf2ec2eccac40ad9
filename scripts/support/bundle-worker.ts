// Bundles the Worker as `wrangler deploy` would upload it (`wrangler deploy --dry-run`), for the
// load run, the capacity measurement and the bundle-size test. No network, no account.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';

/** The project folder: where wrangler.toml and src/ are. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** What to bundle and where. */
export interface BundleWorkerOptions {
  /** Empty folder for the bundle (and the temporary config when `siteModule` is given). */
  outDir: string;
  /**
   * A generated site module (written by runBuild's `outFile`) to serve instead of the project's
   * own: the bundle's entry is then the app over that site, and src/generated is not touched.
   * Omitted, the project's wrangler.toml is used as is, its `[build]` included.
   */
  siteModule?: string;
  /** Give up after this long; 180 s when omitted. */
  timeoutMs?: number;
}

/** A bundled Worker: its one module file and the sizes wrangler reports for it. */
export interface WorkerBundle {
  file: string;
  /** The wrangler config it was bundled from. */
  config: string;
  bytes: number;
  /** zlib's default level over the module, as wrangler's bundle reporter computes it. */
  gzipBytes: number;
  compatibilityDate: string;
}

/** The `compatibility_date` of the project's wrangler.toml. */
export async function readCompatibilityDate(): Promise<string> {
  const project = parseToml(await readFile(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8')) as { compatibility_date?: unknown };
  if (typeof project.compatibility_date !== 'string') throw new Error('wrangler.toml has no compatibility_date');
  return project.compatibility_date;
}

/** Runs `wrangler deploy --dry-run --outdir` and measures the module it wrote. */
export async function bundleWorker(options: BundleWorkerOptions): Promise<WorkerBundle> {
  const compatibilityDate = await readCompatibilityDate();
  const dist = join(options.outDir, 'dist');
  let config = join(PROJECT_ROOT, 'wrangler.toml');
  if (options.siteModule) {
    const src = join(options.outDir, 'src');
    await mkdir(src, { recursive: true });
    await copyFile(options.siteModule, join(src, 'site.js'));
    // The generated module imports its bodies from a Data module beside it.
    for (const name of await readdir(dirname(options.siteModule))) {
      if (name.endsWith('.bin')) await copyFile(join(dirname(options.siteModule), name), join(src, name));
    }
    // The same two lines as src/index.ts, over the given site.
    await writeFile(join(src, 'entry.ts'), `import { createApp } from ${JSON.stringify(join(PROJECT_ROOT, 'src', 'app.ts'))};\nimport { site } from './site.js';\n\nexport default createApp({ site });\n`);
    config = join(options.outDir, 'wrangler.toml');
    await writeFile(config, `name = "feed-publisher-bundle"\nmain = "src/entry.ts"\ncompatibility_date = "${compatibilityDate}"\n`);
  }
  const wrangler = join(PROJECT_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  await run(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', dist, '--config', config], options.timeoutMs ?? 180_000);
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
  return { file: join(dist, name), config, bytes, gzipBytes, compatibilityDate };
}

/**
 * Profiles the Worker's startup with `wrangler check startup` (locally, in workerd) and returns
 * the profile's length and the time its samples spent outside `(idle)`, in milliseconds.
 */
export async function profileStartup(bundle: WorkerBundle, outFile: string): Promise<{ profileMs: number; busyMs: number }> {
  const wrangler = join(PROJECT_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  await run(process.execPath, [wrangler, 'check', 'startup', '--config', bundle.config, '--outfile', outFile], 180_000);
  const profile = JSON.parse(await readFile(outFile, 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string } }>;
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const idle = new Set(profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').map((node) => node.id));
  const busy = profile.samples.reduce((sum, node, i) => sum + (idle.has(node) ? 0 : (profile.timeDeltas[i] ?? 0)), 0);
  return { profileMs: (profile.endTime - profile.startTime) / 1000, busyMs: busy / 1000 };
}

function run(command: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new Error(`wrangler deploy --dry-run failed (${signal ?? `exit ${code}`}):\n${output.slice(-4000)}`));
    });
  });
}
