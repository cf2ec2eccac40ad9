// Runs a bundled Worker on plain `workerd serve` (from the npm tree) with a generated capnp
// config, listening on a free loopback port: for the benchmark, the load run and the capacity
// measurement. Not `wrangler dev` or Miniflare, whose own services would run in the same
// process and count in every figure. Optionally pinned to one CPU, and with the inspector on
// for readings of the isolate's heap.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { readCompatibilityDate } from './bundle-worker.ts';
import {
  CPU_COUNT,
  findFreePort,
  PROJECT_ROOT,
  readCpuSeconds,
  readMemoryKiB,
  readScheduledSeconds,
} from './process.ts';

const WORKERD = join(PROJECT_ROOT, 'node_modules/workerd/bin/workerd');
/** The Worker's service name in the config, and so its inspector target. */
const SERVICE = 'main';

/** Every workerd this process started and has not seen exit, killed if this process ends first. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One module of the Worker; the first one listed is the main module. */
export interface WorkerModule {
  /** The name other modules import it by, e.g. `site.bin`. */
  name: string;
  type: 'esModule' | 'data';
  /** Its file, relative to `dir`. */
  file: string;
}

/** What to serve: a folder and the modules in it, and the site's static assets. */
export interface WorkerFiles {
  /** Folder of the config; module files are relative to it. */
  dir: string;
  modules: WorkerModule[];
  /**
   * The site's assets folder (`site.assets`), bound as `ASSETS`: a workerd disk service, which
   * answers a GET with a file's bytes, as the Workers Static Assets binding does for the
   * Worker's own files. Omitted for a Worker that reads no assets.
   */
  assets?: string;
}

/** What to serve, and how. */
export interface StartWorkerdOptions extends WorkerFiles {
  /** Port of the Cache API service (cache-server.ts): workerd has no Cache API of its own. */
  cachePort: number;
  /** Defaults to the project's wrangler.toml `compatibility_date`. */
  compatibilityDate?: string;
  /** CPU to pin workerd to; unpinned when omitted, or on a one-CPU machine. */
  cpu?: number;
  /** Opens the inspector, for heapAfterGc. */
  inspector?: boolean;
  /** Give up if the socket is not accepting by then; 180 s when omitted. */
  startupTimeoutMs?: number;
}

/** A running workerd. */
export interface WorkerdProcess {
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>/`. */
  base: URL;
  /** From spawn to the socket accepting connections. */
  startupMs: number;
  /** CPU seconds (all threads) spent by then, from /proc/<pid>/stat and from schedstat. */
  startupCpuSeconds: number;
  startupScheduledSeconds: number | undefined;
  startupRssKiB: number;
  /** The last lines workerd printed (errors from the Worker's console). */
  output(): string;
  /** The isolate's JavaScript heap in use after a full GC, in bytes (needs `inspector`). */
  heapAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

/** A bundled module and the Data modules beside it, as workerd loads them, with the site's assets folder when given. */
export function listModulesBeside(moduleFile: string, assets?: string): WorkerFiles {
  const dir = dirname(resolve(moduleFile));
  const data = readdirSync(dir).filter((name) => name.endsWith('.bin'));
  return {
    dir,
    modules: [
      { name: basename(moduleFile), type: 'esModule', file: basename(moduleFile) },
      ...data.map((name): WorkerModule => ({ name, type: 'data', file: name })),
    ],
    // The folder the link points at now: a rebuild flips the link, not the folder workerd reads.
    ...(assets ? { assets: realpathSync(assets) } : {}),
  };
}

/** Starts workerd and waits until its socket accepts connections. */
export async function startWorkerd(options: StartWorkerdOptions): Promise<WorkerdProcess> {
  const { dir, modules, cachePort, cpu } = options;
  const startupTimeoutMs = options.startupTimeoutMs ?? 180_000;
  const port = await findFreePort();
  const inspectorPort = options.inspector ? await findFreePort() : undefined;
  const configFile = join(dir, `workerd-${port}.capnp`);
  await writeFile(
    configFile,
    renderCapnpConfig(
      modules,
      port,
      cachePort,
      options.compatibilityDate ?? (await readCompatibilityDate()),
      options.assets,
    ),
  );
  const serve = [
    WORKERD,
    'serve',
    configFile,
    ...(inspectorPort ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : []),
  ];
  const [file, args] =
    cpu !== undefined && CPU_COUNT > 1
      ? ['taskset', ['-c', String(cpu), ...serve]]
      : [WORKERD, serve.slice(1)];
  const started = performance.now();
  const child = spawn(file, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      running.delete(child);
      resolve();
    }),
  );
  let alive = true;
  void exited.then(() => {
    alive = false;
  });
  let inspector: Inspector | undefined;
  const stop = async (): Promise<void> => {
    inspector?.close();
    if (!alive) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };
  const pid = child.pid;
  if (pid === undefined) throw new Error('workerd did not start');
  for (;;) {
    if (!alive) throw new Error(`workerd exited during startup:\n${output}`);
    if (await isListening(port)) break;
    if (performance.now() - started > startupTimeoutMs) {
      await stop();
      throw new Error(`workerd was not listening after ${startupTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const startupMs = performance.now() - started;
  const startup = {
    startupCpuSeconds: readCpuSeconds(pid),
    startupScheduledSeconds: readScheduledSeconds(pid),
    startupRssKiB: readMemoryKiB(pid).rss,
  };
  const base = new URL(`http://127.0.0.1:${port}/`);
  return {
    pid,
    port,
    base,
    startupMs,
    ...startup,
    output: () => output,
    heapAfterGc: async () => {
      if (inspectorPort === undefined)
        throw new Error('heapAfterGc needs workerd started with `inspector: true`');
      // A session attached before the isolate's first request gets no answers: send one first.
      const poke = async (): Promise<void> => {
        await (await fetch(new URL('/__poke', base))).arrayBuffer();
      };
      if (!inspector) {
        await poke();
        inspector = await openInspector(`ws://127.0.0.1:${inspectorPort}/${SERVICE}`, poke);
      }
      return inspector.heapAfterGc();
    },
    stop,
  };
}

/** The workerd config: one Worker service, its socket, the Cache API pointed at the cache service, and the assets folder as ASSETS. */
function renderCapnpConfig(
  modules: readonly WorkerModule[],
  port: number,
  cachePort: number,
  compatibilityDate: string,
  assets: string | undefined,
): string {
  const list = modules
    .map((m) => `(name = ${JSON.stringify(m.name)}, ${m.type} = embed ${JSON.stringify(m.file)})`)
    .join(',\n    ');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "${SERVICE}", worker = .worker),
    (name = "cache", external = (address = "127.0.0.1:${cachePort}", http = ())),${assets ? `\n    (name = "assets", disk = (path = ${JSON.stringify(assets)}, writable = false)),` : ''}
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "${SERVICE}") ],
);

const worker :Workerd.Worker = (
  modules = [
    ${list},
  ],
  compatibilityDate = "${compatibilityDate}",
  cacheApiOutbound = "cache",${assets ? '\n  bindings = [ (name = "ASSETS", service = "assets") ],' : ''}
);
`;
}

/** Whether something accepts connections on the loopback port now. */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 1000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** A DevTools protocol session with the Worker's isolate. */
interface Inspector {
  heapAfterGc(): Promise<number>;
  close(): void;
}

/**
 * Opens a DevTools protocol session with the Worker's isolate, for its heap after a full GC.
 * workerd runs a GC request only when the isolate next runs, so `poke` sends it a request meanwhile.
 */
async function openInspector(url: string, poke: () => Promise<void>): Promise<Inspector> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolveOpen, reject) => {
    socket.addEventListener('open', () => resolveOpen(), { once: true });
    socket.addEventListener(
      'error',
      () => reject(new Error(`cannot open the inspector at ${url}`)),
      { once: true },
    );
  });
  let nextId = 1;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number;
      result?: Record<string, unknown>;
    };
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {});
  });
  const send = (method: string): Promise<Record<string, unknown>> =>
    new Promise((resolveSend, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), 30_000);
      pending.set(id, (result) => {
        clearTimeout(timer);
        pending.delete(id);
        resolveSend(result);
      });
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    async heapAfterGc() {
      let collected = false;
      const gc = send('HeapProfiler.collectGarbage').then(() => {
        collected = true;
      });
      for (let i = 0; i < 200 && !collected; i++) {
        await poke();
        await Promise.race([gc, new Promise((resolveWait) => setTimeout(resolveWait, 50))]);
      }
      await gc;
      return Number((await send('Runtime.getHeapUsage')).usedSize);
    },
    close: () => socket.close(),
  };
}
