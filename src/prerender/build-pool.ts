import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { ParseJob, ReadResult } from '../content/read-articles.ts';
import type { Article, SiteConfig } from '../site/types.ts';
import { fieldsWithParts } from './articles.ts';
import type { ArticleFragments } from './fragments.ts';

/**
 * Fewer articles to parse or render than this are done on the main thread: starting the
 * workers and loading the parser and renderers into them costs about half a second, which a
 * rebuild's few articles would never win back.
 */
export const POOL_MIN_ARTICLES = 2000;

/** Files sent to a worker at a time to parse: enough to amortize a message, few enough to share the work out evenly and to hold little in memory (about 1 MB of markdown). */
export const PARSE_BATCH = 128;

/** Articles sent to a worker at a time to render: enough to amortize a message, few enough to share the work out evenly. */
const RENDER_BATCH = 200;

/**
 * Tasks a worker is given before it answers the first: the next is already in its queue when
 * it finishes one, so that it does not wait for the main thread, which reads files
 * synchronously between batches and sees an answer only when it next waits.
 */
const TASKS_PER_WORKER = 2;

/**
 * The stack a worker's engine may use, that of the main thread: V8's default `--stack-size`
 * (984 KiB) plus the 192 KiB Node keeps of a worker's stack for itself. Node's default (4 MiB)
 * would parse an article nested four times deeper than the main thread can (src/content/article.ts
 * refuses those), so that a build would accept it or not depending on where it was parsed.
 */
const WORKER_STACK_MB = (984 + 192) / 1024;

/** What the main thread asks a worker (src/prerender/build-worker.ts) to do, under the task's id. */
export type BuildTask =
  | { id: number; kind: 'parse'; jobs: { file: string; bytes: ArrayBuffer }[] }
  | { id: number; kind: 'render'; articles: object[] };

/** What a worker answers for a task: the results, or the error that stopped it. */
export type BuildAnswer =
  | { id: number; parsed: ReadResult[]; rendered?: undefined; error?: undefined }
  | {
      id: number;
      rendered: [slug: string, fragments: ArticleFragments][];
      parsed?: undefined;
      error?: undefined;
    }
  | { id: number; error: string; parsed?: undefined; rendered?: undefined };

/** A task sent or waiting to be sent, and the promise it settles. */
interface Pending {
  task: BuildTask;
  transfer: ArrayBuffer[];
  resolve: (answer: BuildAnswer) => void;
  reject: (error: Error) => void;
}

/**
 * The worker threads of one build, one per core (src/prerender/build-worker.ts), for both of a
 * cold build's per-article halves: parsing the files (while the main thread reads the next
 * ones) and rendering each article's page and feed items (while the main thread waits). Both
 * are pure and per article. The workers start at the first task, once per build; `close` ends
 * them. The first error a worker meets fails every task given and every one after.
 */
export class BuildPool {
  /** Files parsed and articles rendered on the workers so far. */
  readonly done = { parsed: 0, rendered: 0 };
  readonly #config: SiteConfig;
  /** Workers the pool starts. */
  readonly threads: number;
  #workers: { worker: Worker; tasks: Pending[] }[] | undefined;
  readonly #waiting: Pending[] = [];
  #nextId = 0;
  #failure: Error | undefined;
  #stopped: Promise<unknown> | undefined;

  /** A pool of `threads` workers for `config`, none started yet. */
  constructor(config: SiteConfig, threads = availableParallelism()) {
    this.#config = config;
    this.threads = Math.max(1, threads);
  }

  /** Whether the workers were started. */
  get started(): boolean {
    return this.#workers !== undefined;
  }

  /**
   * Parses files on a worker (`parseArticle`, src/content/article.ts): results in the order of
   * `jobs`. Each file's bytes are handed over, not copied: their buffer is unusable here after.
   */
  async parse(jobs: readonly ParseJob[]): Promise<ReadResult[]> {
    const sent = jobs.map(({ file, bytes }) => ({ file, bytes: ownBuffer(bytes) }));
    const answer = await this.#run(
      { id: this.#nextId++, kind: 'parse', jobs: sent },
      sent.map((job) => job.bytes),
    );
    if (answer.parsed === undefined)
      throw new Error('a build worker answered a parse with no results');
    this.done.parsed += answer.parsed.length;
    return answer.parsed;
  }

  /** Renders the fragments of `articles` on the workers, a batch at a time: the fragments by slug. */
  async render(articles: readonly Article[]): Promise<Map<string, ArticleFragments>> {
    const batches: Promise<BuildAnswer>[] = [];
    for (let i = 0; i < articles.length; i += RENDER_BATCH) {
      // As plain fields: a structured clone would drop a lazily read body's getter.
      const batch = articles.slice(i, i + RENDER_BATCH).map(fieldsWithParts);
      batches.push(this.#run({ id: this.#nextId++, kind: 'render', articles: batch }, []));
    }
    const fragments = new Map<string, ArticleFragments>();
    for (const answer of await Promise.all(batches)) {
      if (answer.rendered === undefined)
        throw new Error('a build worker answered a render with no fragments');
      for (const [slug, rendered] of answer.rendered) fragments.set(slug, rendered);
      this.done.rendered += answer.rendered.length;
    }
    return fragments;
  }

  /** Stops the workers (if they started) and waits until they have; tasks not answered yet fail. */
  async close(): Promise<void> {
    this.#fail(new Error('the build pool was closed'));
    await this.#stopped;
  }

  /** Sends a task to the least busy worker, or queues it until one has room. */
  #run(task: BuildTask, transfer: ArrayBuffer[]): Promise<BuildAnswer> {
    return new Promise<BuildAnswer>((resolve, reject) => {
      if (this.#failure) return reject(this.#failure);
      this.#waiting.push({ task, transfer, resolve, reject });
      this.#dispatch();
    });
  }

  /** Gives waiting tasks to workers with room for them. */
  #dispatch(): void {
    this.#workers ??= this.#start();
    const workers = this.#workers;
    while (this.#waiting.length > 0) {
      const free = workers.reduce((a, b) => (b.tasks.length < a.tasks.length ? b : a));
      if (free.tasks.length >= TASKS_PER_WORKER) return;
      const pending = this.#waiting.shift() as Pending;
      free.tasks.push(pending);
      free.worker.postMessage(pending.task, pending.transfer);
    }
  }

  /** Starts the workers, each answering its tasks in the order given. */
  #start(): { worker: Worker; tasks: Pending[] }[] {
    // The fragments arrive here as transferred ArrayBuffers, about 650 MB at 20,000 articles.
    // V8 counts them as external memory and by default starts a full GC of the main thread's
    // heap (the parsed articles, about 260 MB) at every 64 MB more of it: ten of them during
    // the render ahead. Counted within the heap's own growing limit, three GCs remained and
    // the build took 2–4 s less CPU (BENCHMARKS.md, "UTF-8 through ICU, fewer full GCs").
    // A V8 flag of Node 24's V8 (13.6): one without it would print a warning and go on.
    setFlagsFromString('--external-memory-accounted-in-global-limit');
    return Array.from({ length: this.threads }, () => {
      const worker = new Worker(new URL('./build-worker.ts', import.meta.url), {
        workerData: { config: this.#config },
        resourceLimits: { stackSizeMb: WORKER_STACK_MB },
      });
      const entry = { worker, tasks: [] as Pending[] };
      worker.on('message', (answer: BuildAnswer) => {
        const index = entry.tasks.findIndex((pending) => pending.task.id === answer.id);
        const [pending] = index < 0 ? [] : entry.tasks.splice(index, 1);
        if (answer.error !== undefined) return this.#fail(new Error(answer.error));
        pending?.resolve(answer);
        this.#dispatch();
      });
      worker.once('error', (error) => this.#fail(error));
      // An answer that cannot be read here would otherwise leave its task waiting forever.
      worker.once('messageerror', (error) => this.#fail(error));
      worker.once('exit', (code) =>
        this.#fail(new Error(`a build worker exited with code ${code}`)),
      );
      return entry;
    });
  }

  /** Fails every task given or waiting, and every later one, with `error` (the first kept), and stops the workers. */
  #fail(error: Error): void {
    const workers = this.#workers ?? [];
    if (this.#failure === undefined) {
      this.#failure = error;
      this.#stopped = Promise.all(workers.map(({ worker }) => worker.terminate()));
    }
    const failed = [...this.#waiting.splice(0), ...workers.flatMap(({ tasks }) => tasks.splice(0))];
    for (const pending of failed) pending.reject(this.#failure);
  }
}

/** The bytes in an ArrayBuffer of their own, which a transfer list may hold: a copy when they share theirs (Node's small-buffer pool). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes;
  if (
    buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength
  )
    return buffer;
  return new Uint8Array(bytes).buffer;
}
