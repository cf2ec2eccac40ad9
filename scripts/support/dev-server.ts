// The parts of `npm start` (scripts/dev.ts) that do not need wrangler: its command line, the
// config's `[build]` section read as wrangler reads it, the build run as wrangler runs it, and a
// folder watcher that costs one inotify watch per folder, not one per file.
import { type ChildProcess, spawn } from 'node:child_process';
import { type Dirent, type FSWatcher, readdirSync, readFileSync, watch } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseToml } from 'smol-toml';

/** What `npm start -- --help` prints. */
export const DEV_USAGE = `Usage: npm start -- [--port <n>] [--ip <address>] [--config <wrangler.toml>] [--persist-to <dir>] [--inspector-port <n>] [--log-level debug|info|log|warn|error|none]

Runs wrangler.toml's [build] command, then serves the Worker and its [assets] locally with
wrangler's dev server (offline), and builds and reloads again when a file under [build]
watch_dir, or wrangler.toml, changes. For other \`wrangler dev\` flags run \`npx wrangler dev …\`
(it starts slower on a large site: it watches every asset file).`;

/** Wrangler's log levels, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'log', 'warn', 'error', 'none'] as const;
/** One of wrangler's log levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the command line asks for. */
export interface DevOptions {
  /** The wrangler.toml, absolute. */
  config: string;
  ip: string | undefined;
  port: number | undefined;
  persistTo: string | undefined;
  inspectorPort: number | undefined;
  logLevel: LogLevel;
  help: boolean;
}

/** The `[build]` section, with wrangler's default and path resolution applied. */
export interface BuildSection {
  command: string;
  /** Where the command runs: `cwd` resolved from the working folder, as wrangler does (default: the working folder). */
  cwd: string;
  /** Folders watched, absolute: `watch_dir` (default `./src`) resolved from the config's folder, as wrangler does. */
  watchDirs: string[];
}

/** A command line or config problem, with the message to print. */
export class DevUsageError extends Error {}

/** Reads a port number option. */
function parsePort(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new DevUsageError(`--${name} expects an integer from 0 to 65535, got "${value}"`);
  return port;
}

/** The flags `npm start` takes: the `wrangler dev` ones this project uses, spelled the same. */
const DEV_FLAGS = {
  config: { type: 'string', short: 'c' },
  ip: { type: 'string' },
  port: { type: 'string' },
  'persist-to': { type: 'string' },
  'inspector-port': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses `npm start`'s command line. */
export function parseDevOptions(argv: string[], cwd = process.cwd()): DevOptions {
  let values: ReturnType<typeof parseArgs<{ options: typeof DEV_FLAGS }>>['values'];
  try {
    ({ values } = parseArgs({
      args: argv,
      options: DEV_FLAGS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new DevUsageError((error as Error).message);
  }
  const logLevel = values['log-level'] ?? 'log';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new DevUsageError(
      `--log-level expects one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    );
  return {
    config: resolve(cwd, values.config ?? 'wrangler.toml'),
    ip: values.ip,
    port: parsePort('port', values.port),
    persistTo: values['persist-to'],
    inspectorPort: parsePort('inspector-port', values['inspector-port']),
    logLevel: logLevel as LogLevel,
    help: values.help === true,
  };
}

/**
 * The config's `[build]`, read as wrangler reads it (its normalizeAndValidateBuild), or
 * undefined when it has no command.
 */
export function readBuildSection(
  configPath: string,
  cwd = process.cwd(),
): BuildSection | undefined {
  if (!configPath.endsWith('.toml'))
    throw new DevUsageError(`${configPath}: npm start reads a wrangler.toml config only`);
  let config: { build?: { command?: unknown; cwd?: unknown; watch_dir?: unknown } };
  try {
    config = parseToml(readFileSync(configPath, 'utf8')) as typeof config;
  } catch (error) {
    throw new DevUsageError(`${configPath}: ${(error as Error).message}`);
  }
  const build = config.build;
  if (build?.command === undefined || build.command === '') return undefined;
  if (typeof build.command !== 'string')
    throw new DevUsageError(`${configPath}: [build] command: not a string`);
  if (build.cwd !== undefined && typeof build.cwd !== 'string')
    throw new DevUsageError(`${configPath}: [build] cwd: not a string`);
  const dirs = build.watch_dir ?? './src';
  const list: unknown[] = Array.isArray(dirs) ? dirs : [dirs];
  if (!list.every((dir): dir is string => typeof dir === 'string'))
    throw new DevUsageError(`${configPath}: [build] watch_dir: not a string or a list of strings`);
  return {
    command: build.command,
    cwd: resolve(cwd, build.cwd ?? '.'),
    watchDirs: list.map((dir) => resolve(dirname(configPath), dir)),
  };
}

/** Whether wrangler's logger, at level `chosen`, prints a message of level `level`. */
export function showsLevel(chosen: LogLevel, level: 'error' | 'warn' | 'log'): boolean {
  const order = ['none', 'error', 'warn', 'info', 'log', 'debug'];
  return order.indexOf(chosen) >= order.indexOf(level);
}

/** A running `[build]` command. */
export interface BuildRun {
  /** Whether it succeeded, once it ended. */
  done: Promise<boolean>;
  /** Ends it (its whole process group). */
  stop: () => void;
}

/**
 * Runs the build command as wrangler's `[build]` does (through a shell, in `cwd`, with
 * `WRANGLER_COMMAND=dev`), each line of its output prefixed with `[custom build]` as wrangler
 * prints it: its stdout at the `log` level, its stderr (where the build reports problems) at
 * `error`.
 */
export function startBuild(build: BuildSection, logLevel: LogLevel): BuildRun {
  if (showsLevel(logLevel, 'log')) console.log(`[custom build] Running: ${build.command}`);
  const child: ChildProcess = spawn(build.command, {
    shell: true,
    cwd: build.cwd,
    env: { ...process.env, WRANGLER_COMMAND: 'dev' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: the shell does not exec the command, so ending the shell
    // alone would leave the build running.
    detached: true,
  });
  const relay = (stream: NodeJS.ReadableStream | null, level: 'log' | 'error'): void => {
    const print = (line: string): void => {
      if (!showsLevel(logLevel, level)) return;
      if (level === 'log') console.log(`[custom build] ${line}`);
      else console.error(`[custom build] ${line}`);
    };
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) print(line);
    });
    stream?.on('end', () => {
      if (pending) print(pending);
    });
  };
  relay(child.stdout, 'log');
  relay(child.stderr, 'error');
  const done = new Promise<boolean>((resolveDone) => {
    child.once('error', (error) => {
      console.error(`✘ [custom build] ${build.command}: ${error.message}`);
      resolveDone(false);
    });
    child.once('close', (code, signal) => {
      if (code !== 0 && showsLevel(logLevel, 'error'))
        console.error(
          `✘ Running custom build \`${build.command}\` failed (${signal ?? `exit code ${code}`}). There are likely more logs from your build command above.`,
        );
      resolveDone(code === 0);
    });
  });
  const stop = (): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Ended already.
    }
  };
  return { done, stop };
}

/**
 * Watches folders and everything in them, at any depth, with one `fs.watch` per folder (a
 * folder's inotify watch reports changes to its entries), and calls `onChange` with each path
 * that changed: created, written, renamed or removed. Folders created or moved in later are
 * watched too. Hidden entries (`.git/`, editors' swap files) are skipped, as the build skips
 * them. Returns a function that ends every watch.
 */
export function watchFolders(roots: string[], onChange: (path: string) => void): () => void {
  const watchers = new Map<string, FSWatcher>();
  const removeTree = (folder: string): void => {
    for (const [path, watcher] of watchers)
      if (path === folder || path.startsWith(`${folder}${sep}`)) {
        watcher.close();
        watchers.delete(path);
      }
  };
  const addTree = (folder: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // A file, or gone already.
    }
    try {
      const watcher = watch(folder, { persistent: true }, (event, name) => {
        if (name === null || name.startsWith('.')) return;
        const path = join(folder, name);
        // A folder created, moved in or replaced is watched (again); a removed one no longer.
        if (event === 'rename') {
          removeTree(path);
          addTree(path);
        }
        onChange(path);
      });
      watcher.on('error', () => removeTree(folder));
      watchers.set(folder, watcher);
    } catch {
      return; // Gone since it was read.
    }
    for (const entry of entries)
      if (entry.isDirectory() && !entry.name.startsWith('.')) addTree(join(folder, entry.name));
  };
  for (const root of roots) addTree(root);
  return () => {
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}
