import { createHash, hash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  type Stats,
} from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';

/** The project this code belongs to (not the site being built: tests build sites in temporary folders). */
const CODE_ROOT = join(import.meta.dirname, '..', '..');

/** Every folder whose files the build imports and whose text shapes the output. */
const CODE_DIRS = ['src/content', 'src/prerender', 'src/render', 'src/site'];

/** Bumped when the entry format itself changes. */
const FORMAT = 'feed-publisher-build-cache/2';

/**
 * The kinds of entries: parsed articles (with their problems, without their HTML), the HTML of
 * each parsed article (apart, so that a build reads only the bodies it renders), rendered
 * article fragments, and compressed bodies.
 */
export type CacheKind = 'parse' | 'html' | 'render' | 'compress';

/** Every kind, in the order `flush` writes them. */
const KINDS: readonly CacheKind[] = ['parse', 'html', 'render', 'compress'];

/** Where the cache lives for a project when neither the option nor FEED_PUBLISHER_CACHE_DIR says. */
export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'feed-publisher');
}

/**
 * The version of everything that shapes the output besides the inputs: the build's own source
 * (every file under src/content, src/prerender, src/render and src/site), the libraries as
 * package-lock.json pins them, and Node (its ICU data reads time zones). Read from the files
 * (so an edit without a commit counts too), once per process.
 */
export function computeCodeVersion(): Promise<string> {
  // Once per process: the code that runs is the code loaded at its start, whatever the files say later.
  codeVersion ??= hashCode();
  return codeVersion;
}

let codeVersion: Promise<string> | undefined;

async function hashCode(): Promise<string> {
  const hasher = createHash('sha256')
    .update(FORMAT)
    .update(
      `\0node ${process.versions.node} icu ${process.versions.icu ?? ''} tz ${process.versions.tz ?? ''}\0`,
    );
  const files: string[] = [];
  for (const dir of CODE_DIRS) {
    for (const entry of await readdir(join(CODE_ROOT, dir), {
      recursive: true,
      withFileTypes: true,
    })) {
      if (entry.isFile())
        files.push(relative(CODE_ROOT, join(entry.parentPath, entry.name)).split(sep).join('/'));
    }
  }
  files.sort();
  for (const file of [...files, 'package-lock.json']) {
    const bytes = await readFile(join(CODE_ROOT, file)).catch(() => undefined);
    hasher.update(`${file}\0${bytes?.byteLength ?? -1}\0`);
    if (bytes) hasher.update(bytes);
  }
  return hasher.digest('hex');
}

/** The record of the files' stats and digests, in the cache's folder. */
const FILES = 'files';
/** The first word of that record; bumped when its format changes. */
const FILES_FORMAT = 'feed-publisher-files/1';
/** How much older than the start of the build that recorded it a file's last change must be for its stat to be trusted (see `recall`). */
const STAMP_MARGIN_MS = 3000;

/**
 * The last build's record of files: a record per file (the length of its name, its name, the
 * SHA-256 of its bytes, and its stat's device, inode, size, mtime and ctime as doubles), where
 * each one starts in `body`, and the ctime (ms) before which a file's stat is trusted.
 */
interface FileRecord {
  body: Buffer;
  starts: Map<string, number>;
  trustedBefore: number;
}

/** Bytes of a record after its name: the digest and five doubles. */
const FILE_TAIL_BYTES = 32 + 8 * 5;

/** An entry's header in a pack: its key (32 bytes of SHA-256), the payload's length and its CRC-32. */
const HEADER_BYTES = 32 + 4 + 4;
/** Payload tags: a V8-serialized value, or bytes stored as they are. */
const V8_VALUE = 0;
const RAW_BYTES = 1;
/** More packs than this, and a build merges all but the largest into its own; more unused bytes than used ones, and it rewrites them all as one. */
const MAX_PACKS = 8;

/** A pack being written: its final name, the keys in it, the open file and the writes queued on it. */
interface PendingPack {
  name: string;
  seen: Set<string>;
  file?: FileHandle | undefined;
  done: Promise<void>;
  /** The pack's bytes so far, and each entry's key and length, for its index. */
  size: number;
  records: Buffer[];
}

/** One kind's packs as found at the start of the build. */
interface Packs {
  names: string[];
  /** Each entry's header and payload, a view into its pack's bytes (emptied by `release`). */
  entries: Map<string, Buffer>;
  /** Each entry's size in bytes, for deciding when to compact. */
  sizes: Map<string, number>;
}

/**
 * A cache of per-article work on disk, keyed by the SHA-256 of everything a value depends on,
 * so that an entry is either exactly right for the inputs or never found. Entries are kept in
 * a few pack files per kind (one file per entry cost this machine's file system about 0.5 ms of
 * system time each to write, 5 s at 10,000 articles; a pack of them, 0.2 s): each build writes
 * the entries it computed as one new pack, to a temporary name renamed into place, so an
 * interrupted build leaves no partial pack. Each entry carries a CRC-32 of its payload; one
 * that is truncated or fails its check is ignored and computed again. When unused entries
 * outweigh used ones, the used entries are rewritten as one pack and the others removed, so
 * the cache stays about the size of one build's work; when packs pile up, all but the largest
 * are merged into the new one. Failing to write is never fatal: the build only loses the
 * speed-up, and says so in a note. Besides the packs, a record of the files read (their stat
 * and digest, see `recall`) lets a build skip the files that have not changed.
 */
export class BuildCache {
  readonly #dir: string;
  readonly #packs = new Map<CacheKind, Promise<Packs>>();
  /** Where each entry of a kind `ready` indexed is: an open pack and the entry's offset and length. */
  readonly #index = new Map<CacheKind, Map<string, { fd: number; at: number; length: number }>>();
  readonly #used: Record<CacheKind, Set<string>> = {
    parse: new Set(),
    html: new Set(),
    render: new Set(),
    compress: new Set(),
  };
  /** The new pack of each kind, written as entries come (so that memory never holds them all), renamed into place at `flush`. */
  readonly #pending = new Map<CacheKind, PendingPack>();
  #writeError: string | undefined;
  /** Entries found and entries computed, by kind, for the build's summary and the tests. */
  readonly stats: Record<CacheKind, { hits: number; misses: number }> = {
    parse: { hits: 0, misses: 0 },
    html: { hits: 0, misses: 0 },
    render: { hits: 0, misses: 0 },
    compress: { hits: 0, misses: 0 },
  };
  /** When this build started, by `clock`: before it looked at any file. */
  readonly #started: number;
  /** The files' record of the last build (read at the first `recall`), and this build's, written at `flush`. */
  #files: FileRecord | undefined;
  /** Each file's record for this build's: where it starts in the last one, or its new bytes. */
  readonly #nextFiles = new Map<string, number | Buffer>();
  /** Packs `ready` found without an index, and their headers: `flush` writes their index. */
  readonly #unindexed: { dir: string; name: string; size: number; records: Buffer }[] = [];
  #filesChanged = false;

  /** `clock` dates the record of files' stats (tests move it); defaults to Date.now. */
  constructor(dir: string, { clock = Date.now }: { clock?: () => number } = {}) {
    this.#dir = dir;
    this.#started = clock();
  }

  /** The key of a value computed from `parts` (each given as text or bytes, lengths included so that no two lists collide). */
  static keyOf(...parts: (string | Uint8Array)[]): string {
    // A build computes some hundred thousand keys: texts only (most of them) are hashed in one
    // call, without a Hash object, and a text's length in UTF-16 units delimits it as well as
    // its byte length would, without measuring it first.
    if (parts.every((part) => typeof part === 'string'))
      return hash('sha256', parts.map((part) => `s${part.length}:${part}`).join(''), 'hex');
    const hasher = createHash('sha256');
    for (const part of parts) {
      if (typeof part === 'string') hasher.update(`s${part.length}:${part}`);
      else hasher.update(`b${part.byteLength}:`).update(part);
    }
    return hasher.digest('hex');
  }

  /** The value stored under `key`, or undefined when there is none or it cannot be trusted. */
  async read<T>(kind: CacheKind, key: string): Promise<T | undefined> {
    this.#used[kind].add(key);
    const entry = (await this.#load(kind)).entries.get(key);
    const value = entry && decodeEntry<T>(entry);
    this.stats[kind][value === undefined ? 'misses' : 'hits']++;
    return value?.value;
  }

  /**
   * Indexes the packs of `kind` by reading only their entries' headers, so that `readNow`
   * reads an entry when the render asks for it: a rebuild that needs a few entries of half a
   * gigabyte of packs reads a few. Use either this and `readNow`, or `read`, for a kind.
   */
  async ready(kind: CacheKind): Promise<void> {
    const dir = join(this.#dir, kind);
    const names = await this.#listPacks(dir);
    const index = new Map<string, { fd: number; at: number; length: number }>();
    const sizes = new Map<string, number>();
    for (const name of names) {
      let fd: number;
      try {
        fd = openSync(join(dir, name), 'r');
      } catch {
        continue;
      }
      const size = fstatSync(fd).size;
      // The pack's index when it has one that fits it, else every header read from the pack
      // (and an index written at `flush`).
      let records = readPackIndex(join(dir, `${name}${INDEX_SUFFIX}`), size);
      if (records === undefined) {
        records = scanHeaders(fd, size);
        this.#unindexed.push({ dir, name, size, records });
      }
      for (let at = 0, r = 0; r + RECORD_BYTES <= records.byteLength; r += RECORD_BYTES) {
        const length = HEADER_BYTES + records.readUInt32BE(r + 32);
        if (at + length > size) break;
        const key = records.toString('hex', r, r + 32);
        index.set(key, { fd, at, length });
        sizes.set(key, (sizes.get(key) ?? 0) + length);
        at += length;
      }
    }
    this.#index.set(kind, index);
    // What compaction weighs at `flush`, without reading the packs.
    this.#packs.set(kind, Promise.resolve({ names, entries: new Map(), sizes }));
  }

  /** The value under `key` in packs `ready` indexed, read now; undefined when there is none, it cannot be trusted, or the kind was not indexed. */
  readNow<T>(kind: CacheKind, key: string): T | undefined {
    this.#used[kind].add(key);
    const place = this.#index.get(kind)?.get(key);
    let value: { value: T } | undefined;
    if (place) {
      const entry = Buffer.allocUnsafe(place.length);
      // The entry's own key too: an index that went wrong gives a miss, never another entry.
      if (
        readSync(place.fd, entry, 0, place.length, place.at) === place.length &&
        entry.toString('hex', 0, 32) === key
      )
        value = decodeEntry<T>(entry);
    }
    this.stats[kind][value === undefined ? 'misses' : 'hits']++;
    return value?.value;
  }

  /** Whether packs `ready` indexed hold an entry under `key` (not read, so not yet trusted: `readNow` checks it). */
  hasNow(kind: CacheKind, key: string): boolean {
    return this.#index.get(kind)?.has(key) ?? false;
  }

  /**
   * The SHA-256 of `file`'s bytes as an earlier build read them, when `stats` (taken now)
   * shows the file has not changed since: device, inode, size, mtime and ctime all the same,
   * and the ctime more than STAMP_MARGIN_MS older than the start of the build that recorded
   * it. Otherwise undefined, and the file must be read (and `record`ed).
   *
   * Why this is safe: every write to a file sets its ctime to the current time, and nothing
   * can set it back (`touch` and `utimes` set mtime, and update ctime to now); a file saved by
   * a rename has a new inode. The one edit a stat can hide is one in the same tick of the file
   * system's clock as the change before it: ext4, tmpfs and btrfs count time in nanoseconds
   * but advance it at each kernel tick (a few ms), FAT in 2 s steps, and a network file
   * system stamps with the server's clock. A file changed in the tick before a build read it
   * could be changed again in that tick after the read, with the same size, and show the same
   * stat; so only a file whose last change was over STAMP_MARGIN_MS before the recording
   * build started (before it read anything) is trusted: any later change is in a later tick
   * (git's "racily clean" entries, with a margin for coarse clocks and a little clock skew).
   * That later change is then seconds after the recorded ctime, so the times are compared in
   * milliseconds as Node gives them (a float; bigint stats cost 0.1 s more at 20,000 files).
   */
  recall(file: string, stats: Stats): string | undefined {
    this.#files ??= this.#readFiles();
    const { body, starts, trustedBefore } = this.#files;
    const start = starts.get(file);
    if (start === undefined || !(stats.ctimeMs < trustedBefore)) return undefined;
    const digest = start + 2 + body.readUInt16BE(start);
    const stamp = digest + 32;
    if (
      stats.ctimeMs !== body.readDoubleBE(stamp + 32) ||
      stats.mtimeMs !== body.readDoubleBE(stamp + 24) ||
      stats.size !== body.readDoubleBE(stamp + 16) ||
      stats.ino !== body.readDoubleBE(stamp + 8) ||
      stats.dev !== body.readDoubleBE(stamp)
    )
      return undefined;
    this.#nextFiles.set(file, start);
    return body.toString('hex', digest, stamp);
  }

  /** Records the SHA-256 of the bytes read from `file`, whose stat was `stats` before the read (after it, an edit between the two would pass for the bytes read). */
  record(file: string, stats: Stats, digest: string): void {
    this.#filesChanged = true;
    const name = Buffer.from(file);
    // A name too long for the record's two bytes (no file system has one) is read at every build.
    if (name.byteLength > 0xffff) return;
    const bytes = Buffer.allocUnsafe(2 + name.byteLength + FILE_TAIL_BYTES);
    bytes.writeUInt16BE(name.byteLength, 0);
    name.copy(bytes, 2);
    let at = bytes.write(digest, 2 + name.byteLength, 32, 'hex') + 2 + name.byteLength;
    for (const value of [stats.dev, stats.ino, stats.size, stats.mtimeMs, stats.ctimeMs])
      at = bytes.writeDoubleBE(value, at);
    this.#nextFiles.set(file, bytes);
  }

  #readFiles(): FileRecord {
    const none = { body: Buffer.alloc(0), starts: new Map(), trustedBefore: 0 };
    try {
      const bytes = readFileSync(join(this.#dir, FILES));
      const end = bytes.indexOf(10);
      const [format, crc, started] = bytes.toString('latin1', 0, end).split(' ');
      const body = bytes.subarray(end + 1);
      if (format !== FILES_FORMAT || Number.parseInt(crc ?? '', 16) !== crc32(body)) return none;
      const starts = new Map<string, number>();
      for (let at = 0; at + 2 <= body.byteLength; ) {
        const digest = at + 2 + body.readUInt16BE(at);
        if (digest + FILE_TAIL_BYTES > body.byteLength) break;
        starts.set(body.toString('utf8', at + 2, digest), at);
        at = digest + FILE_TAIL_BYTES;
      }
      return { body, starts, trustedBefore: Number(started) - STAMP_MARGIN_MS };
    } catch {
      return none;
    }
  }

  /** Writes this build's record of files when it differs from the last one: each file this build recalled or read. */
  async #flushFiles(): Promise<void> {
    const last = this.#files;
    if (!this.#filesChanged && last !== undefined && last.starts.size === this.#nextFiles.size)
      return;
    if (this.#nextFiles.size === 0 && last === undefined) return;
    const records: Buffer[] = [];
    for (const record of this.#nextFiles.values()) {
      if (typeof record !== 'number') records.push(record);
      else if (last) {
        const end = record + 2 + last.body.readUInt16BE(record) + FILE_TAIL_BYTES;
        records.push(last.body.subarray(record, end));
      }
    }
    const body = Buffer.concat(records);
    const file = join(this.#dir, FILES);
    const temporary = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await mkdir(this.#dir, { recursive: true });
    try {
      await writeFile(
        temporary,
        Buffer.concat([
          Buffer.from(`${FILES_FORMAT} ${crc32(body).toString(16)} ${this.#started}\n`),
          body,
        ]),
      );
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Marks an entry as still needed without reading it (a build that did not need its value keeps it for the next). */
  keep(kind: CacheKind, key: string): void {
    this.#used[kind].add(key);
  }

  /** Stores `value` (bytes are stored as they are, anything else V8-serialized) under `key`, at `flush`. */
  write(kind: CacheKind, key: string, value: unknown): void {
    this.#used[kind].add(key);
    const pack = this.#pendingPack(kind);
    if (pack.seen.has(key)) return;
    pack.seen.add(key);
    const entry = encodeEntry(key, value);
    pack.done = pack.done.then(async () => {
      if (this.#writeError !== undefined) return;
      try {
        pack.file ??= await this.#openPack(kind, pack);
        await pack.file.write(entry);
        noteEntry(pack, entry);
      } catch (error) {
        this.#writeError ??= error instanceof Error ? error.message : String(error);
      }
    });
  }

  /** Waits until the writes queued so far for `kind` are on disk (so that a producer can keep memory to a few entries). */
  async drain(kind: CacheKind): Promise<void> {
    await this.#pending.get(kind)?.done;
  }

  /** Every key stored for `kind`, checked or not (tests and diagnostics). */
  async keys(kind: CacheKind): Promise<string[]> {
    return [...(await this.#load(kind)).sizes.keys()].sort();
  }

  /** Lets go of the packs read so far (their values are copies), to keep the build's memory to what it needs. */
  release(kind: CacheKind): void {
    const index = this.#index.get(kind);
    this.#index.delete(kind);
    for (const fd of new Set([...(index?.values() ?? [])].map((place) => place.fd))) closeSync(fd);
    const packs = this.#packs.get(kind);
    if (packs)
      this.#packs.set(
        kind,
        packs.then((p) => ({ ...p, entries: new Map() })),
      );
  }

  /**
   * Ends a build that stopped on an error: writes what it computed (every entry is whole and
   * stands for its key, whatever became of the build) and closes every file it opened, pruning
   * nothing, so no open file is left for the garbage collector to close.
   */
  async close(): Promise<void> {
    for (const kind of KINDS) this.release(kind);
    await this.flush([]);
  }

  /**
   * Writes the entries computed in this build as a new pack of each kind; for each kind in
   * `prune` (those this build used all it needs of), removes the entries it did not use once
   * they outweigh the used ones. Returns a note when the cache could not be written.
   */
  async flush(prune: readonly CacheKind[]): Promise<string | undefined> {
    for (const kind of KINDS) {
      try {
        await this.#flushKind(kind, prune.includes(kind));
      } catch (error) {
        this.#writeError ??= error instanceof Error ? error.message : String(error);
      }
    }
    try {
      await this.#flushFiles();
    } catch (error) {
      this.#writeError ??= error instanceof Error ? error.message : String(error);
    }
    // Packs that had no index and are still there (merged ones are gone).
    for (const { dir, name, size, records } of this.#unindexed.splice(0))
      if (existsSync(join(dir, name))) await writePackIndex(join(dir, name), size, [records]);
    return this.#writeError === undefined
      ? undefined
      : `build cache: could not write ${this.#dir} (${this.#writeError}); the next build parses and renders everything again`;
  }

  #pendingPack(kind: CacheKind): PendingPack {
    let pack = this.#pending.get(kind);
    if (!pack) {
      pack = {
        name: `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}.pack`,
        seen: new Set(),
        done: Promise.resolve(),
        size: 0,
        records: [],
      };
      this.#pending.set(kind, pack);
    }
    return pack;
  }

  async #openPack(kind: CacheKind, pack: PendingPack): Promise<FileHandle> {
    const dir = join(this.#dir, kind);
    await mkdir(dir, { recursive: true });
    return open(join(dir, `${pack.name}.tmp`), 'w');
  }

  async #flushKind(kind: CacheKind, prune: boolean): Promise<void> {
    const dir = join(this.#dir, kind);
    const old = await this.#listPacks(dir);
    const merged =
      prune && this.#writeError === undefined ? await this.#packsToMerge(kind, dir, old) : [];
    const compact = merged.length > 0;
    const pack = this.#pending.get(kind) ?? (compact ? this.#pendingPack(kind) : undefined);
    if (!pack) return;
    this.#pending.delete(kind);
    await pack.done;
    const temporary = join(dir, `${pack.name}.tmp`);
    try {
      if (this.#writeError !== undefined) throw new Error(this.#writeError);
      pack.file ??= await this.#openPack(kind, pack);
      if (compact) {
        // Pack by pack, so that memory holds one pack at a time.
        for (const name of merged) {
          for (const [key, entry] of scanPack(await readFile(join(dir, name)))) {
            if (!this.#used[kind].has(key) || pack.seen.has(key)) continue;
            pack.seen.add(key);
            await pack.file.write(entry);
            noteEntry(pack, entry);
          }
        }
      }
      await pack.file.close();
      pack.file = undefined;
      await rename(temporary, join(dir, pack.name));
    } catch (error) {
      await pack.file?.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    await writePackIndex(join(dir, pack.name), pack.size, pack.records);
    for (const name of merged) {
      await rm(join(dir, name), { force: true });
      await rm(join(dir, `${name}${INDEX_SUFFIX}`), { force: true });
    }
  }

  /**
   * The packs of `kind` whose used entries go into this build's pack, and which are then
   * removed: every pack when they hold more unused than used bytes; when there are more than
   * MAX_PACKS, every pack but the largest, so that merging them rewrites the few entries each
   * rebuild added, not the whole archive's (which cost some 5 s at 20,000 articles, every
   * eighth rebuild); else none.
   */
  async #packsToMerge(kind: CacheKind, dir: string, packs: readonly string[]): Promise<string[]> {
    let total = 0;
    let used = 0;
    for (const [key, size] of (await this.#load(kind)).sizes) {
      total += size;
      if (this.#used[kind].has(key)) used += size;
    }
    if (total - used > used) return [...packs];
    if (packs.length <= MAX_PACKS) return [];
    const sizes = await Promise.all(
      packs.map((name) =>
        stat(join(dir, name)).then(
          (file) => file.size,
          () => 0,
        ),
      ),
    );
    const largest = sizes.indexOf(Math.max(...sizes));
    return packs.filter((_, i) => i !== largest);
  }

  async #listPacks(dir: string): Promise<string[]> {
    const names = await readdir(dir).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith('.pack')).sort();
  }

  #load(kind: CacheKind): Promise<Packs> {
    let packs = this.#packs.get(kind);
    if (!packs) {
      packs = (async () => {
        const dir = join(this.#dir, kind);
        const names = await this.#listPacks(dir);
        const entries = new Map<string, Buffer>();
        const sizes = new Map<string, number>();
        for (const name of names) {
          const pack = await readFile(join(dir, name)).catch(() => undefined);
          if (!pack) continue;
          for (const [key, entry] of scanPack(pack)) {
            entries.set(key, entry);
            sizes.set(key, (sizes.get(key) ?? 0) + entry.byteLength);
          }
        }
        return { names, entries, sizes };
      })();
      this.#packs.set(kind, packs);
    }
    return packs;
  }
}

/** A pack's index is the file beside it named so: each entry's key and payload length, in order. */
const INDEX_SUFFIX = '.index';
/** The first bytes of an index; bumped when its format changes. */
const INDEX_MAGIC = 'fp-idx-1';
/** An index record: the key (32 bytes) and the payload's length, as in the entry's header. */
const RECORD_BYTES = 36;

/** Adds an entry just written to a pack to what its index will say. */
function noteEntry(pack: PendingPack, entry: Buffer): void {
  pack.records.push(Buffer.from(entry.subarray(0, RECORD_BYTES)));
  pack.size += entry.byteLength;
}

/** Every header of a pack, read one at a time (a pack without an index), as index records. */
function scanHeaders(fd: number, size: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  const records: Buffer[] = [];
  for (let at = 0; at + HEADER_BYTES <= size; ) {
    if (readSync(fd, header, 0, HEADER_BYTES, at) < HEADER_BYTES) break;
    const length = HEADER_BYTES + header.readUInt32BE(32);
    if (at + length > size) break;
    records.push(Buffer.from(header.subarray(0, RECORD_BYTES)));
    at += length;
  }
  return Buffer.concat(records);
}

/**
 * The records of a pack's index: magic, the pack's size, a CRC-32 of the records, then the
 * records. Undefined when there is none, it fails its check, or it was made for a pack of
 * another size (and `readNow` checks each entry's own key, so an index never gives a wrong entry).
 */
function readPackIndex(file: string, packSize: number): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const records = bytes.subarray(20);
  if (
    bytes.byteLength < 20 ||
    bytes.toString('latin1', 0, 8) !== INDEX_MAGIC ||
    bytes.readUInt32BE(8) * 2 ** 32 + bytes.readUInt32BE(12) !== packSize ||
    bytes.readUInt32BE(16) !== crc32(records)
  )
    return undefined;
  return records;
}

/** Writes the index of the pack at `pack` (to a temporary name renamed into place); an index that cannot be written is only a slower next build. */
async function writePackIndex(pack: string, size: number, records: Buffer[]): Promise<void> {
  const body = Buffer.concat(records);
  const head = Buffer.alloc(20);
  head.write(INDEX_MAGIC, 0, 'latin1');
  head.writeUInt32BE(Math.floor(size / 2 ** 32), 8);
  head.writeUInt32BE(size % 2 ** 32, 12);
  head.writeUInt32BE(crc32(body), 16);
  const temporary = `${pack}${INDEX_SUFFIX}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, Buffer.concat([head, body]));
    await rename(temporary, `${pack}${INDEX_SUFFIX}`);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** The entries of a pack, each its header and payload; stops at a header whose payload would run past the end. */
function* scanPack(pack: Buffer): Generator<[key: string, entry: Buffer]> {
  for (let at = 0; at + HEADER_BYTES <= pack.byteLength; ) {
    const end = at + HEADER_BYTES + pack.readUInt32BE(at + 32);
    if (end > pack.byteLength) return;
    yield [pack.toString('hex', at, at + 32), pack.subarray(at, end)];
    at = end;
  }
}

/** An entry: header (key, payload length, CRC-32), then the payload: a tag byte and the value. */
function encodeEntry(key: string, value: unknown): Buffer {
  const raw = value instanceof Uint8Array;
  const body = raw ? value : serialize(value);
  const entry = Buffer.allocUnsafe(HEADER_BYTES + 1 + body.byteLength);
  entry.write(key, 0, 32, 'hex');
  entry.writeUInt32BE(1 + body.byteLength, 32);
  entry[HEADER_BYTES] = raw ? RAW_BYTES : V8_VALUE;
  entry.set(body, HEADER_BYTES + 1);
  entry.writeUInt32BE(crc32(entry.subarray(HEADER_BYTES)), 36);
  return entry;
}

/** The entry's value (a copy: nothing keeps the pack alive), or undefined when it fails its check. */
function decodeEntry<T>(entry: Buffer): { value: T } | undefined {
  const payload = entry.subarray(HEADER_BYTES);
  if (payload.byteLength < 1 || crc32(payload) !== entry.readUInt32BE(36)) return undefined;
  if (payload[0] === RAW_BYTES) return { value: Uint8Array.prototype.slice.call(payload, 1) as T };
  if (payload[0] !== V8_VALUE) return undefined;
  try {
    return { value: deserialize(payload.subarray(1)) as T };
  } catch {
    return undefined;
  }
}
