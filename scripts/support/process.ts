// Child processes and what /proc says about them: CPU time, scheduler time and memory.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A loopback port nobody listens on right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The project folder (two levels above this file). */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** Clock ticks per second of /proc/<pid>/stat times. */
const CLOCK_TICKS =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Logical CPUs this process may use. */
export const CPU_COUNT = availableParallelism();

/** Where a child's output went, and how it ended. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of `runChild`. */
export interface RunChildOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Runs the child on every CPU even when this process is pinned. */
  allCores?: boolean;
  /** Called with the child's process id once it is spawned. */
  onSpawn?: (pid: number) => void;
}

/** Runs a program to its end (killed after `timeoutMs`) and collects its output. */
export function runChild(
  command: string,
  args: string[],
  options: RunChildOptions,
): Promise<ChildResult> {
  const [file, argv] =
    options.allCores && CPU_COUNT > 1
      ? ['taskset', ['-c', `0-${CPU_COUNT - 1}`, command, ...args]]
      : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running program in a process group of its own (a server and its children), stopped whole. */
export interface GroupChild {
  child: ChildProcess;
  /** The last 16,000 characters it printed, stdout and stderr together. */
  output(): string;
  /** Whether it has not exited yet. */
  running(): boolean;
  /** Resolves when it has exited (or could not be spawned). */
  exited: Promise<void>;
  /** SIGINT to the group, SIGKILL after `graceMs` if any of it is still there; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a program in a process group of its own, so that stopping it stops what it started
 * too (`wrangler dev` and `npm start` run workerd below them); `onText` sees its output as it
 * comes. Each group is killed if this process exits first.
 */
export function spawnGroup(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; onText?: (text: string) => void },
): GroupChild {
  const child = spawn(file, args, {
    cwd: options.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env,
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-16_000);
    options.onText?.(text);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let alive = true;
  const group = child.pid;
  if (group !== undefined) GROUPS.add(group);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      output += `${error.message}\n`;
      resolve();
    });
  }).then(() => {
    alive = false;
    if (group !== undefined) GROUPS.delete(group);
  });
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (!alive || group === undefined) return;
    signalGroup(group, 'SIGINT');
    const timer = setTimeout(() => signalGroup(group, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { child, output: () => output, running: () => alive, exited, stop };
}

/** Process groups of spawnGroup not yet seen to exit. */
const GROUPS = new Set<number>();
process.once('exit', () => {
  for (const group of GROUPS) signalGroup(group, 'SIGKILL');
});

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Polls `check` every `intervalMs` until it holds; fails with `what` and the program's output
 * if the program exits first or `timeoutMs` passes. A check that throws (nothing listening yet)
 * counts as not yet.
 */
export async function waitForGroup(
  group: GroupChild,
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
  intervalMs = 100,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!group.running())
      throw new Error(`exited while waiting for ${what}:\n${group.output().slice(-4000)}`);
    try {
      if (await check()) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s:\n${group.output().slice(-4000)}`);
}

/** GNU time, whose `%M` is the peak RSS the kernel reports for the child at its exit (wait4). */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** A child's outcome with its wall time and peak RSS. */
export interface TimedChildResult extends ChildResult {
  /** From spawn to exit, in ms. */
  wallMs: number;
  /** Peak resident memory of the program (not of the wrappers around it), in KiB. */
  maxRssKiB: number;
  /** How `maxRssKiB` was read. */
  rssSource: 'wait4' | 'VmHWM polled';
}

/**
 * Runs a program to its end as `runChild` does, timing it from spawn to exit and reading its
 * peak RSS: from the kernel at its exit through /usr/bin/time where that exists (every program
 * measured the same way, whatever it is written in), else from /proc/<pid>/status VmHWM polled
 * every 20 ms (which can miss a rise in the last 20 ms).
 */
export async function runTimed(
  command: string,
  args: string[],
  options: RunChildOptions,
): Promise<TimedChildResult> {
  if (GNU_TIME) {
    const dir = await mkdtemp(join(tmpdir(), 'timed-'));
    try {
      const out = join(dir, 'time.txt');
      const started = performance.now();
      const child = await runChild(GNU_TIME, ['-f', '%M', '-o', out, command, ...args], options);
      const wallMs = performance.now() - started;
      // Past a failure GNU time writes a "Command exited with non-zero status" line first.
      const lines = (await readFile(out, 'utf8').catch(() => '')).trim().split('\n');
      return { ...child, wallMs, maxRssKiB: Number(lines.at(-1)), rssSource: 'wait4' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  let peak = Number.NaN;
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const child = await runChild(command, args, {
    ...options,
    // `taskset` (allCores) execs the program, so the pid is the program's.
    onSpawn: (pid) => {
      timer = setInterval(() => {
        try {
          peak = readMemoryKiB(pid).peak;
        } catch {
          // Gone: the last reading stands.
        }
      }, 20);
    },
  });
  const wallMs = performance.now() - started;
  clearInterval(timer);
  return { ...child, wallMs, maxRssKiB: peak, rssSource: 'VmHWM polled' };
}

/** Pins every thread of this process to one CPU (the load generator's), or undoes it. */
export function pinSelf(cpu: number | 'all'): void {
  if (CPU_COUNT < 2) return;
  execFileSync(
    'taskset',
    ['-a', '-p', '-c', cpu === 'all' ? `0-${CPU_COUNT - 1}` : String(cpu), String(process.pid)],
    { stdio: 'ignore' },
  );
}

/** User plus system CPU time of a process and all its threads, in seconds (tick resolution). */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Time on CPU of every live thread of a process, in seconds (nanosecond resolution), from schedstat. */
export function readScheduledSeconds(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return ns / 1e9;
  } catch {
    return undefined;
  }
}

/** Resident and peak resident memory of a process, in KiB. */
export function readMemoryKiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** The CPU model, core count and memory of this machine, for the report. */
export function describeMachine(): {
  cpuModel: string;
  nproc: number;
  memoryGiB: number;
  kernel: string;
} {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const memKiB = Number(
    /^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0,
  );
  const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  return { cpuModel, nproc: CPU_COUNT, memoryGiB: memKiB / 1024 / 1024, kernel };
}
