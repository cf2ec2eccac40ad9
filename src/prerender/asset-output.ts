import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { link, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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

/** The manifest of an assets folder: what made each file, so that the next build can keep it. */
const MANIFEST = '.build-manifest.json';

/** Files being written at once. */
const WRITE_CONCURRENCY = 16;

/**
 * A manifest entry: the key the file was made from (null for a build without the cache: never
 * kept), its length, and a site `feed.json`'s items. Every file of the folder has one.
 */
interface ManifestEntry extends SettledFile {
  key: string | null;
}

/** Bumped when the manifest's shape changes: an older manifest is then ignored. */
const MANIFEST_VERSION = 1;

/**
 * Writes settled documents into a fresh folder beside `target`, then puts it in place with
 * renames: until `commit`, the folder the Worker serves from is untouched, and `discard` leaves
 * it exactly as it was. Writes are synchronous because the render that calls `put` is: queued
 * asynchronous writes would hold the whole archive in memory.
 *
 * A file whose key (everything it was made from: src/prerender/run.ts) is the one the folder in
 * place recorded for it is hard-linked from there rather than rendered and written again, so a
 * rebuild costs what changed. The link keeps the file's mtime, and so the ETag `wrangler dev`
 * derives from it.
 */
export class DirectoryAssets implements AssetSink {
  readonly tally: Tally = { files: 0, tooBig: [] };
  readonly target: string;
  /** Files kept from the folder in place. */
  kept = 0;
  readonly #staging: string;
  /** Each folder of the staging folder, made once: created as its first file needs it. */
  readonly #folders = new Map<string, Promise<void>>();
  #previous = new Map<string, ManifestEntry>();
  readonly #writing = new Set<Promise<void>>();
  #writeError: unknown;
  readonly #manifest: Record<string, ManifestEntry> = {};
  /**
   * Links to make from the folder in place, until the build writes its first file: a build that
   * changes nothing keeps that folder as it is and makes none (undefined once they are made).
   */
  #deferred: [from: string, file: string][] | undefined = [];
  /** `_headers` and `_redirects` as this build writes them. */
  readonly #control = new Map<string, string>();

  constructor(target: string) {
    this.target = target;
    this.#staging = join(dirname(target), `.${basename(target)}.next-${process.pid}`);
  }

  /** Creates the staging folder (removing one a crashed build left, and old folders not yet removed). */
  async open(): Promise<void> {
    await rm(this.#staging, { recursive: true, force: true });
    const parent = dirname(this.target);
    const trashPrefix = `.${basename(this.target)}.trash-`;
    for (const name of await readdir(parent).catch(() => [] as string[]))
      if (name.startsWith(trashPrefix)) removeInBackground(join(parent, name));
    await mkdir(this.#staging, { recursive: true });
    this.#folders.set(this.#staging, Promise.resolve());
    this.#previous = readManifest(this.target);
  }

  put(
    path: string,
    parts: readonly Uint8Array[],
    made?: { key: string; items?: ItemRanges },
  ): void {
    this.#makeLinks();
    const bytes = count(this.tally, path, parts);
    const file = join(this.#staging, assetFileOf(path));
    const body = Buffer.concat(parts);
    this.#track(this.#folder(dirname(file)).then(() => writeFile(file, body)));
    this.#manifest[path] = {
      key: made?.key ?? null,
      bytes,
      ...(made?.items ? { items: made.items } : {}),
    };
  }

  /** Makes the links deferred so far, and every later one at once. */
  #makeLinks(): void {
    const deferred = this.#deferred;
    if (deferred === undefined) return;
    this.#deferred = undefined;
    for (const [from, file] of deferred) this.#link(from, file);
  }

  #link(from: string, file: string): void {
    this.#track(this.#folder(dirname(file)).then(() => link(from, file)));
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

  reuse(path: string, key: string): SettledFile | undefined {
    const entry = this.#previous.get(path);
    if (entry?.key !== key) return undefined;
    const relative = assetFileOf(path);
    const from = join(this.target, relative);
    // Gone from the folder in place: render it again.
    if (!existsSync(from)) return undefined;
    const file = join(this.#staging, relative);
    if (this.#deferred) this.#deferred.push([from, file]);
    else this.#link(from, file);
    this.tally.files++;
    this.kept++;
    this.#manifest[path] = entry;
    return entry;
  }

  /** Writes a file the asset tier reads itself (`_headers`, `_redirects`), at `commit`. */
  writeControlFile(name: string, text: string): void {
    this.#control.set(name, text);
  }

  /** Whether this build would write exactly the folder in place: every file kept, the control files the same. */
  #changesNothing(): boolean {
    if (this.#deferred === undefined || this.#deferred.length !== this.#previous.size) return false;
    if (!existsSync(join(this.target, MANIFEST))) return false;
    for (const [name, text] of this.#control) {
      try {
        if (readFileSync(join(this.target, name), 'utf8') !== text) return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  /**
   * Puts the staging folder in place of `target`: the old folder is renamed aside, the new one
   * into its name, and the old one removed by a detached process (unlinking tens of thousands
   * of files took seconds the build need not wait for). Between the two renames `target` is
   * missing for an instant; `recoverAssets` puts the old one back if a build dies there. A build
   * that would write the same folder (every file kept, the same control files) leaves the one
   * in place untouched instead.
   */
  async commit(): Promise<void> {
    if (this.#changesNothing()) {
      // Same files from the same keys: the folder in place is this build's, mtimes and all.
      await this.discard();
      return;
    }
    this.#makeLinks();
    await Promise.all(this.#writing);
    if (this.#writeError !== undefined) throw this.#writeError;
    for (const [name, text] of this.#control) writeFileSync(join(this.#staging, name), text);
    writeFileSync(
      join(this.#staging, MANIFEST),
      JSON.stringify({ version: MANIFEST_VERSION, files: this.#manifest }),
    );
    // The manifest is the build's, not the site's: never uploaded or served.
    writeFileSync(join(this.#staging, '.assetsignore'), `/${MANIFEST}\n`);
    const aside = `${this.target}.old`;
    await rm(aside, { recursive: true, force: true });
    if (existsSync(this.target)) await rename(this.target, aside);
    await rename(this.#staging, this.target);
    const trash = join(
      dirname(this.target),
      `.${basename(this.target)}.trash-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    await rename(aside, trash).catch(() => undefined);
    removeInBackground(trash);
  }

  /** Removes the staging folder; the folder in place stays as it was. */
  async discard(): Promise<void> {
    await Promise.all(this.#writing);
    await rm(this.#staging, { recursive: true, force: true });
  }

  /**
   * Makes a folder of the staging folder (its parent first), once. Asynchronous like the writes:
   * making a folder cost this machine's file system about 0.7 ms, 2.6 s of a rebuild's 3,900.
   */
  #folder(dir: string): Promise<void> {
    let made = this.#folders.get(dir);
    if (made === undefined) {
      made = this.#folder(dirname(dir)).then(() => mkdir(dir));
      this.#folders.set(dir, made);
    }
    return made;
  }
}

/** Removes a folder from a detached process that outlives this one; a later build removes what it leaves. */
function removeInBackground(dir: string): void {
  if (!existsSync(dir)) return;
  const child = spawn(
    process.execPath,
    ['-e', 'require("node:fs").rmSync(process.argv[1], { recursive: true, force: true })', dir],
    { detached: true, stdio: 'ignore' },
  );
  child.on('error', () => undefined);
  child.unref();
}

/** The manifest of the folder in place; empty when there is none or it cannot be read. */
function readManifest(dir: string): Map<string, ManifestEntry> {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as {
      version?: number;
      files?: Record<string, ManifestEntry>;
    };
    if (parsed.version !== MANIFEST_VERSION || typeof parsed.files !== 'object') return new Map();
    return new Map(Object.entries(parsed.files ?? {}));
  } catch {
    return new Map();
  }
}

/** Puts back the assets folder a build moved aside and died before replacing. */
export async function recoverAssets(target: string): Promise<void> {
  const aside = `${target}.old`;
  if (!existsSync(target) && existsSync(aside)) await rename(aside, target);
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
