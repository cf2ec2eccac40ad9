import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';

/** The project this code belongs to (not the site being built: tests build sites in temporary folders). */
const CODE_ROOT = join(import.meta.dirname, '..', '..');

/** Every folder whose files the build imports and whose text shapes the output. */
const CODE_DIRS = ['src/content', 'src/prerender', 'src/render', 'src/site'];

/** Bumped when the entry format itself changes. */
const FORMAT = 'feed-publisher-build-cache/1';

/** The kinds of entries: parsed articles (with their problems) and rendered article fragments. */
export type CacheKind = 'parse' | 'render';

/** Where the cache lives for a project when neither the option nor FEED_PUBLISHER_CACHE_DIR says. */
export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'feed-publisher');
}

/**
 * The version of everything that shapes the output besides the inputs: the build's own source
 * (every file under src/content, src/prerender, src/render and src/site), the libraries as
 * package-lock.json pins them, and Node (its ICU data reads time zones). Read from the files,
 * so an edit without a commit counts too.
 */
export async function computeCodeVersion(): Promise<string> {
  const hash = createHash('sha256').update(FORMAT).update(`\0node ${process.versions.node} icu ${process.versions.icu ?? ''} tz ${process.versions.tz ?? ''}\0`);
  const files: string[] = [];
  for (const dir of CODE_DIRS) {
    for (const entry of await readdir(join(CODE_ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(relative(CODE_ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));
    }
  }
  files.sort();
  for (const file of [...files, 'package-lock.json']) {
    const bytes = await readFile(join(CODE_ROOT, file)).catch(() => undefined);
    hash.update(`${file}\0${bytes?.byteLength ?? -1}\0`);
    if (bytes) hash.update(bytes);
  }
  return hash.digest('hex');
}

/** How many entry writes may be in flight at once (each holds a file open). */
const WRITE_CONCURRENCY = 8;

/**
 * A cache of per-article work on disk: one file per entry, named by the SHA-256 of everything
 * its value depends on, so that an entry is either exactly right for the inputs or never found.
 * Entries are written to a temporary name and renamed (an interrupted build leaves no partial
 * entry); each carries a CRC-32 of its payload, and one that is unreadable, truncated or fails
 * its check is ignored and recomputed. Failing to write is never fatal: the build only loses
 * the speed-up, and says so in a note.
 */
export class BuildCache {
  readonly #dir: string;
  readonly #used: Record<CacheKind, Set<string>> = { parse: new Set(), render: new Set() };
  readonly #writes = new Set<Promise<void>>();
  readonly #queue: (() => Promise<void>)[] = [];
  #writeError: string | undefined;
  #madeDirs = false;
  /** Entries found and entries computed, by kind, for the build's summary and the tests. */
  readonly stats: Record<CacheKind, { hits: number; misses: number }> = { parse: { hits: 0, misses: 0 }, render: { hits: 0, misses: 0 } };

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The key of a value computed from `parts` (each given as text or bytes, lengths included so that no two lists collide). */
  static keyOf(...parts: (string | Uint8Array)[]): string {
    const hash = createHash('sha256');
    for (const part of parts) {
      hash.update(`${typeof part === 'string' ? 's' : 'b'}${Buffer.byteLength(part)}:`);
      hash.update(part);
    }
    return hash.digest('hex');
  }

  /** The value stored under `key`, or undefined when there is none or it cannot be trusted. */
  async read<T>(kind: CacheKind, key: string): Promise<T | undefined> {
    this.#used[kind].add(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#path(kind, key));
    } catch {
      this.stats[kind].misses++;
      return undefined;
    }
    const value = decodeEntry<T>(bytes, key);
    this.stats[kind][value === undefined ? 'misses' : 'hits']++;
    return value?.value;
  }

  /** Stores `value` under `key` in the background; `flush` waits for every write. */
  write(kind: CacheKind, key: string, value: unknown): void {
    this.#used[kind].add(key);
    const bytes = encodeEntry(key, value);
    this.#queue.push(() => this.#writeFile(kind, key, bytes));
    this.#pump();
  }

  /**
   * Waits for every pending write, then removes the entries of each kind in `prune` that this
   * build did not use (so that the cache holds one generation and does not grow without bound).
   * Returns a note when the cache could not be written.
   */
  async flush(prune: readonly CacheKind[]): Promise<string | undefined> {
    while (this.#writes.size > 0) await Promise.all(this.#writes);
    if (this.#writeError === undefined) {
      for (const kind of prune) {
        const dir = join(this.#dir, kind);
        const names = await readdir(dir).catch(() => [] as string[]);
        for (const name of names) {
          if (!this.#used[kind].has(name.replace(/\.v8$/, ''))) await rm(join(dir, name), { force: true }).catch(() => undefined);
        }
      }
    }
    return this.#writeError === undefined ? undefined : `build cache: could not write ${this.#dir} (${this.#writeError}); the next build parses and renders everything again`;
  }

  #path(kind: CacheKind, key: string): string {
    return join(this.#dir, kind, `${key}.v8`);
  }

  #pump(): void {
    while (this.#writes.size < WRITE_CONCURRENCY && this.#queue.length > 0) {
      const job = this.#queue.shift();
      if (!job) break;
      const pending: Promise<void> = job().finally(() => {
        this.#writes.delete(pending);
        this.#pump();
      });
      this.#writes.add(pending);
    }
  }

  async #writeFile(kind: CacheKind, key: string, bytes: Uint8Array): Promise<void> {
    if (this.#writeError !== undefined) return;
    const path = this.#path(kind, key);
    // Unique per process and entry: two builds sharing the cache never write one temporary file.
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      if (!this.#madeDirs) {
        await mkdir(join(this.#dir, 'parse'), { recursive: true });
        await mkdir(join(this.#dir, 'render'), { recursive: true });
        this.#madeDirs = true;
      }
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      this.#writeError ??= error instanceof Error ? error.message : String(error);
      await rm(temporary, { force: true }).catch(() => undefined);
    }
  }
}

/** Entry layout: CRC-32 of the payload (4 bytes, big-endian), then the payload: v8-serialized `{ key, value }`. */
function encodeEntry(key: string, value: unknown): Uint8Array {
  const payload = serialize({ key, value });
  const entry = Buffer.allocUnsafe(4 + payload.byteLength);
  entry.writeUInt32BE(crc32(payload), 0);
  payload.copy(entry, 4);
  return entry;
}

/** The entry's value, or undefined when the bytes are not a whole entry for `key`. */
function decodeEntry<T>(bytes: Buffer, key: string): { value: T } | undefined {
  if (bytes.byteLength < 5) return undefined;
  const payload = bytes.subarray(4);
  if (crc32(payload) !== bytes.readUInt32BE(0)) return undefined;
  try {
    const entry = deserialize(payload) as { key?: unknown; value?: T };
    return entry.key === key ? { value: entry.value as T } : undefined;
  } catch {
    return undefined;
  }
}
