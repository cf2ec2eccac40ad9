// Runs a bundled Worker on plain `workerd serve` with a generated capnp config, pinned to
// one CPU, listening on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { COMPATIBILITY_DATE } from './bundle.ts';
import { isListening } from './http-client.ts';
import { CPU_COUNT, PROJECT_ROOT, readCpuSeconds, readMemoryKiB, readScheduledSeconds } from './process.ts';

const WORKERD = join(PROJECT_ROOT, 'node_modules/workerd/bin/workerd');

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

/** What to serve and where the cache service is. */
export interface StartWorkerdOptions {
  /** Folder of the config; module files are relative to it. */
  dir: string;
  modules: WorkerModule[];
  /** Port of the Cache API service (cache-server.ts). */
  cachePort: number;
  /** CPU to pin workerd to; ignored on a one-CPU machine. */
  cpu: number;
  /** Give up if the socket is not accepting by then. */
  startupTimeoutMs: number;
}

/** A running workerd. */
export interface WorkerdProcess {
  pid: number;
  port: number;
  /** From spawn to the socket accepting connections. */
  startupMs: number;
  /** CPU seconds (all threads) spent by then, from /proc/<pid>/stat and from schedstat. */
  startupCpuSeconds: number;
  startupScheduledSeconds: number | undefined;
  startupRssKiB: number;
  /** The last lines workerd printed (errors from the Worker's console). */
  output(): string;
  stop(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The workerd config: one Worker service, its socket, and the Cache API pointed at the cache service. */
export function renderCapnpConfig(modules: readonly WorkerModule[], port: number, cachePort: number): string {
  const list = modules.map((m) => `(name = ${JSON.stringify(m.name)}, ${m.type} = embed ${JSON.stringify(m.file)})`).join(',\n    ');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .bench),
    (name = "cache", external = (address = "127.0.0.1:${cachePort}", http = ())),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const bench :Workerd.Worker = (
  modules = [
    ${list},
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  cacheApiOutbound = "cache",
);
`;
}

/** Starts workerd and waits until its socket accepts connections. */
export async function startWorkerd({ dir, modules, cachePort, cpu, startupTimeoutMs }: StartWorkerdOptions): Promise<WorkerdProcess> {
  const port = await findFreePort();
  const configFile = join(dir, `workerd-${port}.capnp`);
  await writeFile(configFile, renderCapnpConfig(modules, port, cachePort));
  const [file, args] = CPU_COUNT > 1 ? ['taskset', ['-c', String(cpu), WORKERD, 'serve', configFile]] : [WORKERD, ['serve', configFile]];
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
  const stop = async (): Promise<void> => {
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
  return {
    pid,
    port,
    startupMs,
    startupCpuSeconds: readCpuSeconds(pid),
    startupScheduledSeconds: readScheduledSeconds(pid),
    startupRssKiB: readMemoryKiB(pid).rss,
    output: () => output,
    stop,
  };
}
