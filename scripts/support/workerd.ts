// Runs a bundled Worker in workerd through Miniflare's API, and reads the workerd process's
// memory and the Worker isolate's heap, for the load run and the capacity measurement.
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Miniflare } from 'miniflare';

/** The name Miniflare gives the Worker, and its inspector target. */
const WORKER_NAME = 'feed-publisher';

/** A Worker running in workerd on 127.0.0.1. */
export interface RunningWorker {
  base: URL;
  /** The workerd process (a child of this one). */
  pid: number;
  /** Milliseconds from starting Miniflare until it accepted requests. */
  startupMs: number;
  /** The isolate's JavaScript heap in use after a full GC, in bytes. */
  heapAfterGc(): Promise<number>;
  dispose(): Promise<void>;
}

/** Options for startWorker. */
export interface StartWorkerOptions {
  compatibilityDate: string;
  /** Miniflare's Cache API; on by default, as on a custom domain. */
  cacheApi?: boolean;
}

/** Starts a bundled ES module Worker in workerd, with the inspector on for heap readings. */
export async function startWorker(moduleFile: string, options: StartWorkerOptions): Promise<RunningWorker> {
  const name = basename(moduleFile);
  const started = performance.now();
  const mf = new Miniflare({
    workers: [
      {
        config: { name: WORKER_NAME, compatibilityDate: options.compatibilityDate, manifest: { mainModule: name, modules: await readModules(moduleFile) } },
        dev: { cacheAPI: options.cacheApi ?? true },
      },
    ],
    host: '127.0.0.1',
    port: 0,
    inspectorPort: 0,
  });
  try {
    const base = await mf.ready;
    const startupMs = performance.now() - started;
    const pid = findWorkerd();
    // A session attached before the isolate's first request gets no answers: start it first.
    const poke = async (): Promise<void> => {
      await (await fetch(new URL('/__poke', base))).arrayBuffer();
    };
    await poke();
    const inspector = await openInspector(await mf.getInspectorURL(), `core:user:${WORKER_NAME}`, poke);
    return {
      base,
      pid,
      startupMs,
      heapAfterGc: () => inspector.heapAfterGc(),
      dispose: async () => {
        inspector.close();
        await mf.dispose();
      },
    };
  } catch (error) {
    await mf.dispose();
    throw error;
  }
}

/**
 * A DevTools protocol session with the Worker's isolate, for its heap after a full GC. workerd
 * runs a GC request only when the isolate next runs, so `poke` sends it a request meanwhile.
 */
async function openInspector(inspectorUrl: URL, target: string, poke: () => Promise<void>): Promise<{ heapAfterGc(): Promise<number>; close(): void }> {
  const socket = new WebSocket(new URL(`/${target}`, inspectorUrl));
  await new Promise<void>((resolveOpen, reject) => {
    socket.addEventListener('open', () => resolveOpen(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot open the inspector at ${inspectorUrl.href}${target}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: Record<string, unknown>) => void>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> };
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

/** The pid of the workerd process Miniflare started (a child of this process). */
function findWorkerd(): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (match?.[1] === 'workerd' && Number(match[2]) === process.pid) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error('cannot find the workerd process Miniflare started');
}

/** Resident set size of a process, in KiB (VmRSS in /proc/<pid>/status). */
export function readRssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

/** The bundle's modules: the script, and Data modules (the site's bodies) beside it. */
async function readModules(moduleFile: string): Promise<Record<string, { type: 'esm'; contents: string } | { type: 'data'; contents: Uint8Array<ArrayBuffer> }>> {
  const modules: Record<string, { type: 'esm'; contents: string } | { type: 'data'; contents: Uint8Array<ArrayBuffer> }> = {
    [basename(moduleFile)]: { type: 'esm', contents: await readFile(moduleFile, 'utf8') },
  };
  for (const name of await readdir(dirname(moduleFile))) {
    if (name.endsWith('.bin')) modules[name] = { type: 'data', contents: new Uint8Array(await readFile(join(dirname(moduleFile), name))) };
  }
  return modules;
}
