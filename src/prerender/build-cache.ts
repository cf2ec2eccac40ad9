import { createHash, hash, randomBytes } from 'node:crypto';
import { type BigIntStats, closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
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

/** A file's recorded stat (`stampOf`) and the SHA-256 of its bytes. */
type FileEntry = [stamp: string, digest: string];

/** The last build's record of files, and the ctime (ns) before which a file's stat is trusted. */
interface FileRecord {
  entries: Map<string, FileEntry>;
  trustedBefore: bigint;
}

/** What a file's stat must match to be taken as unchanged: device, inode, size, mtime and ctime. */
function stampOf(stats: BigIntStats): string {
  return `${stats.dev} ${stats.ino} ${stats.size} ${stats.mtimeNs} ${stats.ctimeNs}`;
}

/** An entry's header in a pack: its key (32 bytes of SHA-256), the payload's length and its CRC-32. */
const HEADER_BYTES = 32 + 4 + 4;
/** Payload tags: a V8-serialized value, or bytes stored as they are. */
const V8_VALUE = 0;
const RAW_BYTES = 1;
/** More packs than this, or more unused bytes than used ones, and the next build rewrites the cache as one pack. */
const MAX_PACKS = 8;

/** A pack being written: its final name, the keys in it, the open file and the writes queued on it. */
interface PendingPack {
  name: string;
  seen: Set<string>;
  file?: FileHandle | undefined;
  done: Promise<void>;
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
 * outweigh used ones, or packs pile up, the used entries are rewritten as one pack and the
 * others removed, so the cache stays about the size of one build's work. Failing to write is
 * never fatal: the build only loses the speed-up, and says so in a note.
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
  readonly #nextFiles = new Map<string, FileEntry>();
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
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    for (const name of names) {
      let fd: number;
      try {
        fd = openSync(join(dir, name), 'r');
      } catch {
        continue;
      }
      const size = fstatSync(fd).size;
      for (let at = 0; at + HEADER_BYTES <= size; ) {
        if (readSync(fd, header, 0, HEADER_BYTES, at) < HEADER_BYTES) break;
        const length = HEADER_BYTES + header.readUInt32BE(32);
        if (at + length > size) break;
        const key = header.toString('hex', 0, 32);
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
      if (readSync(place.fd, entry, 0, place.length, place.at) === place.length)
        value = decodeEntry<T>(entry);
    }
    this.stats[kind][value === undefined ? 'misses' : 'hits']++;
    return value?.value;
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
   */
  recall(file: string, stats: BigIntStats): string | undefined {
    this.#files ??= this.#readFiles();
    const entry = this.#files.entries.get(file);
    if (entry === undefined || stats.ctimeNs >= this.#files.trustedBefore) return undefined;
    if (stampOf(stats) !== entry[0]) return undefined;
    this.#nextFiles.set(file, entry);
    return entry[1];
  }

  /** Records the SHA-256 of the bytes read from `file`, whose stat was `stats` before the read (after it, an edit between the two would pass for the bytes read). */
  record(file: string, stats: BigIntStats, digest: string): void {
    this.#filesChanged = true;
    // A line per file in the record: a name with a line break in it is read at every build.
    if (!file.includes('\n')) this.#nextFiles.set(file, [stampOf(stats), digest]);
  }

  #readFiles(): FileRecord {
    const none = { entries: new Map(), trustedBefore: 0n };
    try {
      const bytes = readFileSync(join(this.#dir, FILES));
      const end = bytes.indexOf(10);
      const [format, crc, started] = bytes.toString('latin1', 0, end).split(' ');
      const body = bytes.subarray(end + 1);
      if (format !== FILES_FORMAT || Number.parseInt(crc ?? '', 16) !== crc32(body)) return none;
      // A line per file: its digest, its stamp (five numbers) and its name.
      const entries = new Map<string, FileEntry>();
      for (const line of body.toString('utf8').split('\n')) {
        let at = 65;
        for (let field = 0; field < 5 && at > 0; field++) at = line.indexOf(' ', at) + 1;
        if (at > 0) entries.set(line.slice(at), [line.slice(65, at - 1), line.slice(0, 64)]);
      }
      const trustedBefore = BigInt(Number(started) - STAMP_MARGIN_MS) * 1_000_000n;
      return { entries, trustedBefore };
    } catch {
      return none;
    }
  }

  /** Writes this build's record of files when it differs from the last one: each file this build recalled or read. */
  async #flushFiles(): Promise<void> {
    const last = this.#files?.entries;
    if (!this.#filesChanged && last !== undefined && last.size === this.#nextFiles.size) return;
    if (this.#nextFiles.size === 0 && last === undefined) return;
    let text = '';
    for (const [name, [stamp, digest]] of this.#nextFiles) text += `${digest} ${stamp} ${name}\n`;
    const body = Buffer.from(text);
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
    const compact =
      prune && this.#writeError === undefined && (await this.#shouldCompact(kind, old));
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
        for (const name of old) {
          for (const [key, entry] of scanPack(await readFile(join(dir, name)))) {
            if (!this.#used[kind].has(key) || pack.seen.has(key)) continue;
            pack.seen.add(key);
            await pack.file.write(entry);
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
    if (compact) for (const name of old) await rm(join(dir, name), { force: true });
  }

  /** Whether the packs of `kind` hold more unused than used bytes, or are too many. */
  async #shouldCompact(kind: CacheKind, packs: readonly string[]): Promise<boolean> {
    if (packs.length > MAX_PACKS) return true;
    let total = 0;
    let used = 0;
    for (const [key, size] of (await this.#load(kind)).sizes) {
      total += size;
      if (this.#used[kind].has(key)) used += size;
    }
    return total - used > used;
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
