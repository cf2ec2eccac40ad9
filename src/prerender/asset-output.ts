import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writevSync,
} from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ASSET_LIMITS, type AssetPlan, assetFileOf, assetPathOf, planFor } from './asset-layout.ts';
import type { AssetSink, ItemRanges, SettledFile } from './site.ts';

/** Reads back what an asset sink took, by URL path (tests, tools). */
export interface AssetReader {
  /** The bytes of the asset at a URL path, or undefined when there is none. */
  read(path: string): Uint8Array | undefined;
  /** The URL path of every asset. */
  paths(): string[];
}

/** The settled documents counted, and the ones over the per-file limit. */
interface Tally {
  files: number;
  tooBig: string[];
}

/** Counts what it is given and keeps nothing: for a build that only validates. */
export class CountingAssets implements AssetSink {
  readonly tally: Tally = { files: 0, tooBig: [] };

  put(path: string, parts: readonly Uint8Array[]): void {
    count(this.tally, path, parts);
  }

  reuse(): undefined {
    return undefined;
  }
}

/** Counts, and keeps every settled document in memory by URL path (tests and small tools). */
export class MemoryAssets extends CountingAssets implements AssetReader {
  readonly #files = new Map<string, Uint8Array>();

  override put(path: string, parts: readonly Uint8Array[]): void {
    super.put(path, parts);
    this.#files.set(path, Buffer.concat(parts));
  }

  read(path: string): Uint8Array | undefined {
    return this.#files.get(path);
  }

  /** Every URL path held. */
  paths(): string[] {
    return [...this.#files.keys()];
  }
}

/** The manifest of an assets folder: what made each file, so that a later build can keep it. */
const MANIFEST = '.build-manifest.json';

/** Files being written at once. */
const WRITE_CONCURRENCY = 16;

/** How long a build waits for another one writing the same assets folder to end. */
const LOCK_WAIT_MS = 120_000;

/**
 * A manifest entry: the key the file was made from (null for a build without the cache: never
 * kept), its length, and a site `feed.json`'s items. Every file of the folder has one.
 */
interface ManifestEntry extends SettledFile {
  key: string | null;
}

/** Bumped when the manifest's shape changes: an older manifest is then ignored. */
const MANIFEST_VERSION = 3;

/** A manifest entry as the file holds it: a list rather than an object (a third faster to read back at 35,000 files). */
type ManifestRow = [path: string, key: string | null, bytes: number, items?: ItemRanges];

/** A folder's manifest as read: its files by URL path, which build wrote it, and whether it was there to read. */
interface Manifest {
  files: Map<string, ManifestEntry>;
  /** Counts the builds that wrote this pair of folders: the newer folder has the larger one. */
  generation: number;
  valid: boolean;
}

/**
 * The two folders the assets link (`site.assets`) takes turns pointing at: `.site.assets.0` and
 * `.site.assets.1` beside it.
 */
export function assetFoldersOf(target: string): [string, string] {
  const base = join(dirname(target), `.${basename(target)}.`);
  return [`${base}0`, `${base}1`];
}

/**
 * Writes settled documents into the one of two folders that `target` (a symbolic link) does not
 * point at, then points `target` at it with one rename: the folder the Worker serves from (the
 * live one) is never written, and a build that fails or dies leaves `target` on it, whole.
 * Writes are synchronous because the render that calls `put` is: queued asynchronous writes
 * would hold the whole archive in memory.
 *
 * The folder written holds the build before last's output, and its manifest says from which key
 * each file was made, so a rebuild costs what changed, not what the site holds: a file already
 * there from the same key is left alone; one the live folder has from that key (see
 * src/prerender/run.ts for what a key covers) is hard-linked from there, not rendered again; the
 * rest are rendered and written; files this build does not have are removed. Before its first
 * change the folder's manifest is removed, so a build that stops halfway leaves the folder known
 * dirty, and the next one trusts none of its files. A link keeps the file's mtime, and so the
 * ETag `wrangler dev` derives from it.
 *
 * The two folders share a file's inode wherever it was linked, so a file of the folder written
 * is written in place only when it has no other name (`overwriteUnshared`): a shared one is
 * unlinked, then created anew (`wx`: failing rather than opening a path that still exists) or
 * linked again. Writing a shared file in place would change the live folder's copy too.
 */
export class DirectoryAssets implements AssetSink {
  readonly tally: Tally = { files: 0, tooBig: [] };
  readonly target: string;
  /** Files kept from an earlier build (not rendered). */
  kept = 0;
  /** The folder `target` points at; undefined before the first build. */
  #live: string | undefined;
  #liveManifest: Manifest = emptyManifest();
  /** The folder this build writes, and what its manifest said before the build. */
  #folder = '';
  #folderManifest: Manifest = emptyManifest();
  /** Whether the folder written has been marked dirty and changed. */
  #started = false;
  /**
   * Links to make, until the build writes its first file: a build that changes nothing compared
   * with the live folder leaves both folders as they are.
   */
  #deferred: (() => void)[] = [];
  readonly #writing = new Set<Promise<void>>();
  #writeError: unknown;
  readonly #manifest = new Map<string, ManifestEntry>();
  /** `_headers` and `_redirects` as this build writes them. */
  readonly #control = new Map<string, string>();
  #lock: string | undefined;

  constructor(target: string) {
    this.target = target;
  }

  /** Takes the folders for this build (waiting for another build on them), recovers the link, and reads both manifests. */
  async open(): Promise<void> {
    await mkdir(dirname(this.target), { recursive: true });
    this.#lock = await takeLock(
      join(dirname(this.target), `.${basename(this.target)}.lock`),
      this.target,
    );
    await recoverAssets(this.target);
    const [zero, one] = assetFoldersOf(this.target);
    this.#live = liveFolderOf(this.target);
    this.#folder = this.#live === zero ? one : zero;
    if (this.#live) this.#liveManifest = readManifest(this.#live);
    this.#folderManifest = readManifest(this.#folder);
  }

  put(
    path: string,
    parts: readonly Uint8Array[],
    made?: { key: string; items?: ItemRanges },
  ): void {
    const bytes = count(this.tally, path, parts);
    this.#start();
    this.#replace(path, (file) => createFile(file, parts, bytes), { parts, bytes });
    this.#manifest.set(path, {
      key: made?.key ?? null,
      bytes,
      ...(made?.items ? { items: made.items } : {}),
    });
  }

  reuse(path: string, key: string): SettledFile | undefined {
    const here = this.#folderManifest.files.get(path);
    if (here?.key === key) {
      return this.#keep(path, here);
    }
    const entry = this.#liveManifest.files.get(path);
    if (entry?.key !== key || this.#live === undefined) return undefined;
    const from = join(this.#live, assetFileOf(path));
    // Gone from the live folder: render it again.
    if (!existsSync(from)) return undefined;
    const linkIt = (): void => this.#replace(path, (file) => link(from, file));
    if (this.#started) linkIt();
    else this.#deferred.push(linkIt);
    return this.#keep(path, entry);
  }

  #keep(path: string, entry: ManifestEntry): ManifestEntry {
    this.tally.files++;
    this.kept++;
    this.#manifest.set(path, entry);
    return entry;
  }

  /**
   * Marks the folder written dirty before its first change (its manifest removed: an interrupted
   * build leaves it trusted for nothing), then makes the links deferred so far.
   */
  #start(): void {
    if (this.#started) return;
    this.#started = true;
    mkdirSync(this.#folder, { recursive: true });
    rmSync(join(this.#folder, MANIFEST), { force: true });
    for (const linkIt of this.#deferred) linkIt();
    this.#deferred = [];
  }

  /**
   * Puts a file for the URL path `path` in the folder written, its folder made if missing.
   * `create` must fail with EEXIST on an existing file (`wx`, `link`). A file there already is
   * written over in place when `body` is given and the file has no other name; otherwise it is
   * unlinked first and created anew, since it may be the live folder's file too. A file the
   * folder's manifest lists is expected there; any other is created first, and only a create
   * that fails looks at what is in the way: an unlink of nothing cost a first build's empty
   * folder 35,000 failed system calls at 20,000 articles, and a failed create cost a build
   * without the cache over a full folder as many, with an exception each on the main thread.
   *
   * In place is the cheap way on ext4, and it is done synchronously: it waits for no block to be
   * freed or allocated. On the benchmark machine 8,000 files of 52 KB took 0.25–0.27 s written
   * over synchronously (0.85–0.9 s wall and 1.3 s of CPU through the thread pool, 16 at a time),
   * against 2.6–2.9 s unlinked and created, or truncated and written. At 20,000 articles a build
   * without the cache over a full spare folder spent 36 s in its render, 16 s over an empty one
   * (BENCHMARKS.md, "Writing the spare folder in place"). Creates and links stay asynchronous,
   * a few at a time: made synchronously, the render of a build into an empty folder took 26.6
   * and 29.3 s, against 20.1 and 34.2 s (file system time, varying from run to run).
   */
  #replace(path: string, create: (file: string) => Promise<void>, body?: Body): void {
    const file = join(this.#folder, assetFileOf(path));
    const listed = this.#folderManifest.files.has(path);
    if (listed && body && overwriteUnshared(file, body)) return;
    this.#track(
      (async () => {
        if (listed) {
          await unlink(file).catch(ignoreMissing);
          return await create(file);
        }
        try {
          await create(file);
        } catch (error) {
          const code = codeOf(error);
          if (code === 'EEXIST') {
            if (body && overwriteUnshared(file, body)) return;
            await unlink(file);
          } else if (code === 'ENOENT') await mkdir(dirname(file), { recursive: true });
          else throw error;
          await create(file);
        }
      })(),
    );
  }

  /** Keeps a write or link in flight until it settles; its error fails `commit`. */
  #track(operation: Promise<void>): void {
    const tracked = operation
      .catch((error: unknown) => {
        this.#writeError ??= error;
      })
      .finally(() => this.#writing.delete(tracked));
    this.#writing.add(tracked);
  }

  /**
   * Resolves once fewer than WRITE_CONCURRENCY writes and links are in flight: the render
   * waits here, so memory holds a few documents, not the archive. Creating a file or a link
   * costs this machine's file system about 0.3 ms, mostly waiting; a few at once overlap that wait.
   */
  async pressure(): Promise<void> {
    while (this.#writing.size >= WRITE_CONCURRENCY) await Promise.race(this.#writing);
  }

  /** Writes a file the asset tier reads itself (`_headers`, `_redirects`), at `commit`. */
  writeControlFile(name: string, text: string): void {
    this.#control.set(name, text);
  }

  /** Whether this build would write exactly the live folder: every file from the same key, the control files the same. */
  #changesNothing(): boolean {
    const live = this.#liveManifest;
    if (this.#started || this.#live === undefined || !live.valid) return false;
    if (this.#manifest.size !== live.files.size) return false;
    for (const [path, entry] of this.#manifest)
      if (entry.key === null || live.files.get(path)?.key !== entry.key) return false;
    for (const [name, text] of this.#control)
      if (readText(join(this.#live, name)) !== text) return false;
    return true;
  }

  /**
   * Finishes the folder written (its files, the removal of those this build does not have, the
   * control files, then its manifest) and points `target` at it: a symbolic link made beside
   * `target` and renamed over it, so `target` is the old folder or the new one at every instant,
   * never missing or half-written. A build that would write the live folder as it is (every file
   * from the same key, the same control files) changes nothing instead.
   */
  async commit(): Promise<void> {
    if (this.#changesNothing()) {
      // Same files from the same keys: the live folder is this build's, mtimes and all.
      await this.discard();
      return;
    }
    this.#start();
    await this.#settle();
    await this.#removeStale();
    await this.#settle();
    for (const [name, text] of this.#control)
      if (readText(join(this.#folder, name)) !== text) replaceFile(join(this.#folder, name), text);
    // The manifest is the build's, not the site's: never uploaded or served.
    replaceFile(join(this.#folder, '.assetsignore'), `/${MANIFEST}\n`);
    replaceFile(
      join(this.#folder, MANIFEST),
      JSON.stringify({
        version: MANIFEST_VERSION,
        generation: this.#liveManifest.generation + 1,
        files: [...this.#manifest].map(
          ([path, { key, bytes, items }]): ManifestRow =>
            items ? [path, key, bytes, items] : [path, key, bytes],
        ),
      }),
    );
    pointLink(this.target, this.#folder);
    this.#unlock();
  }

  /** Waits for the writes in flight; throws the first that failed. */
  async #settle(): Promise<void> {
    await Promise.all(this.#writing);
    if (this.#writeError !== undefined) throw this.#writeError;
  }

  /**
   * Removes the files of the folder written that this build does not have, and folders left
   * empty. A folder whose manifest was read lists them; a dirty one is walked.
   */
  async #removeStale(): Promise<void> {
    const written = new Set(['.assetsignore', MANIFEST, ...this.#control.keys()]);
    let stale: string[];
    if (this.#folderManifest.valid)
      stale = [
        ...[...this.#folderManifest.files.keys()]
          .filter((path) => !this.#manifest.has(path))
          .map(assetFileOf),
        ...['_headers', '_redirects'].filter((file) => !written.has(file)),
      ];
    else {
      const wanted = new Set([...this.#manifest.keys()].map(assetFileOf));
      stale = (await readdir(this.#folder, { recursive: true, withFileTypes: true }))
        .filter((entry) => !entry.isDirectory())
        .map((entry) => relative(this.#folder, join(entry.parentPath, entry.name)))
        .filter((file) => !wanted.has(file) && !written.has(file));
    }
    const emptied = new Set<string>();
    for (const file of stale) {
      this.#track(unlink(join(this.#folder, file)).catch(ignoreMissing));
      for (let dir = dirname(file); dir !== '.'; dir = dirname(dir)) emptied.add(dir);
      await this.pressure();
    }
    await this.#settle();
    // Deepest first; a folder that still holds something stays.
    for (const dir of [...emptied].sort((a, b) => b.length - a.length))
      await rmdir(join(this.#folder, dir)).catch(() => undefined);
  }

  /** Waits for the writes in flight and lets other builds have the folders; the live folder stays as it was. */
  async discard(): Promise<void> {
    await Promise.all(this.#writing);
    this.#unlock();
  }

  #unlock(): void {
    if (this.#lock) rmSync(this.#lock, { force: true });
    this.#lock = undefined;
  }
}

/**
 * A file's bytes as the render hands them over: the parts of a document (a feed page's frame and
 * items), written with one gathering write rather than joined first. Joining copied every byte
 * of the 1.8 GB a 20,000-article build writes once more: 1.1 s of the main thread in a profile
 * (BENCHMARKS.md, "Cheaper parse and feed items").
 */
interface Body {
  parts: readonly Uint8Array[];
  /** Their length in all. */
  bytes: number;
}

/** Creates `file` (failing with EEXIST when there is one) holding the parts. */
async function createFile(
  file: string,
  parts: readonly Uint8Array[],
  bytes: number,
): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    const { bytesWritten } = await handle.writev(parts as Uint8Array[], 0);
    // libuv writes on after a short write until all is written or the file system fails.
    if (bytesWritten !== bytes) throw shortWrite(file, bytesWritten, bytes);
  } finally {
    await handle.close();
  }
}

function shortWrite(file: string, written: number, bytes: number): Error {
  return new Error(`${file}: wrote ${written} of ${bytes} bytes`);
}

/**
 * Writes `body` over the regular file at `file`, in place, when no other path names its inode
 * (one link): the spare folder's own files from the build before last. False when there is no
 * file, or it is linked elsewhere too (the live folder's, shared by a hard link) and must be
 * replaced rather than changed. A symbolic link there is never followed.
 */
function overwriteUnshared(file: string, body: Body): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ELOOP') return false;
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.nlink !== 1) return false;
    const written = writevSync(fd, body.parts as Uint8Array[], 0);
    if (written !== body.bytes) throw shortWrite(file, written, body.bytes);
    // What is left of a longer old file is cut off.
    if (stats.size > body.bytes) ftruncateSync(fd, body.bytes);
    return true;
  } finally {
    closeSync(fd);
  }
}

function emptyManifest(): Manifest {
  return { files: new Map(), generation: 0, valid: false };
}

/** The manifest of an assets folder; empty and not valid when there is none or it cannot be read. */
function readManifest(dir: string): Manifest {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as {
      version?: number;
      generation?: number;
      files?: ManifestRow[];
    };
    if (
      parsed.version !== MANIFEST_VERSION ||
      !Array.isArray(parsed.files) ||
      typeof parsed.generation !== 'number'
    )
      return emptyManifest();
    const files = new Map<string, ManifestEntry>();
    for (const [path, key, bytes, items] of parsed.files)
      files.set(path, items ? { key, bytes, items } : { key, bytes });
    return { files, generation: parsed.generation, valid: true };
  } catch {
    return emptyManifest();
  }
}

/** The folder a link points at, when the link and the folder are both there. */
function liveFolderOf(target: string): string | undefined {
  try {
    const dir = resolve(dirname(target), readlinkSync(target));
    return statSync(dir).isDirectory() ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Points the link `target` at `folder` in one step: a new link beside it, renamed over it. */
function pointLink(target: string, folder: string): void {
  const temporary = join(dirname(target), `.${basename(target)}.link-${process.pid}`);
  rmSync(temporary, { force: true });
  // Relative, so that the project folder can move.
  symlinkSync(basename(folder), temporary);
  renameSync(temporary, target);
}

/** Replaces a small file by writing a new one beside it and renaming it over: never in place (see DirectoryAssets). */
function replaceFile(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/**
 * Makes `lock` (holding this process's id), waiting while another live process holds it: two
 * builds writing the same folder at once would mix their files. A lock whose process is gone
 * (a build killed) is taken over.
 */
async function takeLock(lock: string, target: string): Promise<string> {
  for (const started = Date.now(); ; ) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return lock;
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readText(lock) ?? '', 10);
    if (!isRunning(holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS)
      throw new Error(
        `${target}: another build (process ${holder}) has been writing the assets for over ${LOCK_WAIT_MS / 1000} s; if it is stuck, end it or remove ${lock}.`,
      );
    await new Promise((done) => setTimeout(done, 50));
  }
}

function isRunning(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function codeOf(error: unknown): unknown {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function ignoreMissing(error: unknown): void {
  if (codeOf(error) !== 'ENOENT') throw error;
}

/**
 * Makes `target` a link to a whole folder of the last good build before a build starts: an
 * assets folder from before the two folders becomes folder 0; a missing or dangling link is
 * pointed at the folder with a manifest (written last, so a finished build's) and the largest
 * generation; a link to a folder is left as it is.
 */
export async function recoverAssets(target: string): Promise<void> {
  const [zero, one] = assetFoldersOf(target);
  let kind = kindOf(target);
  // Left by the earlier one-folder scheme when a build died between its two renames.
  if (kind === 'missing' && kindOf(`${target}.old`) === 'folder') {
    await rename(`${target}.old`, target);
    kind = 'folder';
  }
  if (kind === 'folder') {
    await rm(zero, { recursive: true, force: true });
    await rename(target, zero);
    pointLink(target, zero);
    await removeLegacyFolders(target);
    return;
  }
  if (kind === 'link' && liveFolderOf(target) !== undefined) return;
  const best = [zero, one]
    .map((dir) => ({ dir, manifest: readManifest(dir) }))
    .filter((folder) => folder.manifest.valid)
    .sort((a, b) => b.manifest.generation - a.manifest.generation)[0];
  if (best) pointLink(target, best.dir);
}

function kindOf(path: string): 'link' | 'folder' | 'missing' | 'other' {
  try {
    const stats = lstatSync(path);
    return stats.isSymbolicLink() ? 'link' : stats.isDirectory() ? 'folder' : 'other';
  } catch {
    return 'missing';
  }
}

/** Removes the staging and old folders the one-folder scheme could leave beside `target`. */
async function removeLegacyFolders(target: string): Promise<void> {
  const parent = dirname(target);
  const name = basename(target);
  for (const entry of await readdir(parent))
    if (entry.startsWith(`.${name}.next-`) || entry.startsWith(`.${name}.trash-`))
      await rm(join(parent, entry), { recursive: true, force: true });
}

/** Reads assets from a folder the build wrote. */
export function readAssetsFrom(dir: string): AssetReader {
  return {
    read(path) {
      try {
        return readFileSync(join(dir, assetFileOf(path)));
      } catch {
        return undefined;
      }
    },
    paths() {
      return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter(
          (entry) => entry.isFile() && !(entry.parentPath === dir && /^[_.]/.test(entry.name)),
        )
        .map((entry) => assetPathOf(join(entry.parentPath, entry.name).slice(dir.length + 1)));
    },
  };
}

/**
 * What the build says about the assets: problems that stop it (a file over 25 MiB, more
 * files than any plan holds), the plan the site needs, and a note when that is the Paid plan
 * (neither `wrangler dev` nor `wrangler deploy --dry-run` counts the files: only the upload
 * would fail).
 */
export function checkAssetLimits(tally: Tally): {
  problems: string[];
  plan: AssetPlan;
  note?: string;
} {
  const problems = tally.tooBig.map(
    (message) =>
      `${message}: Workers Static Assets serves files of at most 25 MiB (${ASSET_LIMITS.fileBytes.toLocaleString('en-US')} bytes).`,
  );
  const { files } = tally;
  const count = `${files.toLocaleString('en-US')} static asset file${files === 1 ? '' : 's'}`;
  const plan = planFor(files);
  if (plan === undefined)
    problems.push(
      `${count}: more than the ${ASSET_LIMITS.paid.toLocaleString('en-US')} a Worker version may have on any plan. Raise FEED_ITEM_LIMIT (fewer, longer archive pages) or split the site.`,
    );
  if (plan === 'Free') return { problems, plan };
  const note = `${count}: this site needs the Workers Paid plan (the Free plan allows ${ASSET_LIMITS.free.toLocaleString('en-US')} per version, Paid ${ASSET_LIMITS.paid.toLocaleString('en-US')}).`;
  return { problems, plan: 'Paid', note };
}

function count(tally: Tally, path: string, parts: readonly Uint8Array[]): number {
  tally.files++;
  let bytes = 0;
  for (const part of parts) bytes += part.byteLength;
  if (bytes > ASSET_LIMITS.fileBytes)
    tally.tooBig.push(`${path}: ${bytes.toLocaleString('en-US')} bytes`);
  return bytes;
}
