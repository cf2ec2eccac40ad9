// `npm start`: wrangler's local dev server on this project, the engine of `wrangler dev`
// (`unstable_startWorker`: the same config resolution, bundling, proxy, workerd and asset tier),
// started without `wrangler dev`'s file watchers. The command watches with chokidar, which puts
// an inotify watch on every file and stats each one: on every file of the `[assets]` folder
// (35,497 at 20,000 articles) and of `[build] watch_dir` (20,000 articles), several seconds of
// the start, and the command has no flag to turn that off (`dev.watch` is API-only). So this
// script runs the `[build]` command itself, at once, while wrangler's 15 MB of JavaScript loads,
// then starts wrangler with `dev.watch = false`, and watches `watch_dir` and the config with one
// watch per folder (scripts/support/dev-server.ts): on a change it builds again, and wrangler
// bundles and reloads the Worker and its assets (README.md "Quick start").

import { existsSync, watch } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, relative } from 'node:path';
import {
  type BuildRun,
  DEV_USAGE,
  DevUsageError,
  parseDevOptions,
  readBuildSection,
  showsLevel,
  startBuild,
  watchFolders,
} from './support/dev-server.ts';

type Worker = Awaited<ReturnType<typeof import('wrangler').unstable_startWorker>>;
/** The DevEnv bus events this script sends (wrangler's `bundleStart`, and a `reloadComplete` seen). */
type BusEvent = Parameters<Worker['raw']['dispatch']>[0];

let options: ReturnType<typeof parseDevOptions>;
let build: ReturnType<typeof readBuildSection>;
try {
  options = parseDevOptions(process.argv.slice(2));
  build = readBuildSection(options.config);
} catch (error) {
  if (!(error instanceof DevUsageError)) throw error;
  console.error(`npm start: ${error.message}\n\n${DEV_USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(DEV_USAGE);
  process.exit(0);
}
const { logLevel } = options;
// Before wrangler loads: its logger reads the level from here.
process.env.WRANGLER_LOG = logLevel;

let currentBuild: BuildRun | undefined;
let worker: Worker | undefined;
let stopWatching = (): void => {};
let timer: NodeJS.Timeout | undefined;
let stopping = false;
/**
 * Ends the watchers and a running build, then wrangler and workerd. Registered before wrangler
 * loads, so it runs before miniflare's exit hook, which ends workerd and exits with 128 + the
 * signal's number (as under `wrangler dev`); should that hook be gone, this tears down itself.
 */
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  stopWatching();
  clearTimeout(timer);
  currentBuild?.stop();
  const code = signal === 'SIGINT' ? 130 : 143;
  const force = setTimeout(() => process.exit(code), 10_000);
  void Promise.resolve(worker?.raw.teardown()).finally(() => {
    clearTimeout(force);
    process.exit(code);
  });
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

currentBuild = build ? startBuild(build, logLevel) : undefined;
// While the build runs. `require`, not `import()`: for `import()` Node would first parse
// wrangler's 15 MB of CommonJS to tell whether it is an ES module (its package.json has no "type").
const { unstable_startWorker } = createRequire(import.meta.url)(
  'wrangler',
) as typeof import('wrangler');
// As under `wrangler dev`, a failed first build is the end: there is nothing to serve yet.
if (currentBuild && !(await currentBuild.done)) process.exit(1);
currentBuild = undefined;

const running = await unstable_startWorker({
  config: options.config,
  // Built above: with no command, wrangler bundles `main` as it does after its own build.
  build: { custom: { command: '' } },
  dev: {
    // No chokidar on the assets folder, on watch_dir, or on the config: this script watches.
    watch: false,
    server: { hostname: options.ip, port: options.port },
    inspector: options.inspectorPort === undefined ? undefined : { port: options.inspectorPort },
    persist: options.persistTo,
    logLevel,
  },
});
worker = running;
// Problems after the start (a config that no longer parses, a bundle that fails) arrive as
// events; the last good Worker goes on serving, as under `wrangler dev`.
running.raw.on('error', (event: { reason?: string; cause?: unknown }) => {
  console.error(`✘ ${event.reason ?? 'wrangler'}:`, event.cause ?? event);
});
let lastReload: BusEvent | undefined;
running.raw.on('reloadComplete', (event: BusEvent) => {
  lastReload = event;
});

let changed: string | undefined;
let rebuilding = false;
/**
 * Builds again after a change, one build at a time (a change during a build makes one more),
 * then has wrangler read the config again, bundle `main` and reload the Worker and its assets.
 * As under `wrangler dev`, requests wait from the build's start to the reload's end, so no
 * answer mixes the new assets (the build swaps them in before it ends) with the old Worker.
 */
async function rebuild(): Promise<void> {
  if (rebuilding || stopping) return;
  rebuilding = true;
  const config = running.raw.config.latestConfig;
  if (build && config) running.raw.dispatch({ type: 'bundleStart', config });
  while (changed !== undefined && !stopping) {
    const path = changed;
    changed = undefined;
    if (showsLevel(logLevel, 'log'))
      console.log(`The file ${relative(process.cwd(), path) || path} changed, restarting build...`);
    if (build) {
      currentBuild = startBuild(build, logLevel);
      const ok = await currentBuild.done;
      currentBuild = undefined;
      if (changed !== undefined) continue;
      if (!ok) {
        // The last good build is still in place: serve it again, and try at the next change.
        if (lastReload && !stopping) running.raw.dispatch(lastReload);
        if (showsLevel(logLevel, 'warn'))
          console.warn('▲ The build failed: still serving the last good build.');
        break;
      }
    }
    await running.patchConfig({});
  }
  rebuilding = false;
}
/** Notes a change, and rebuilds once the events of one save have stopped (wrangler's 100 ms debounce). */
function onChange(path: string): void {
  changed = path;
  clearTimeout(timer);
  timer = setTimeout(() => void rebuild(), 100);
}
for (const dir of build?.watchDirs ?? [])
  if (!existsSync(dir))
    console.warn(`▲ [build] watch_dir ${dir} does not exist: changes there are not seen`);
const stopFolders = watchFolders(build?.watchDirs ?? [], onChange);
// The config's folder, not its tree: editors save a file by renaming a new one over it.
const configWatcher = watch(dirname(options.config), (_event, name) => {
  if (name === basename(options.config)) onChange(options.config);
});
stopWatching = () => {
  stopFolders();
  configWatcher.close();
};
