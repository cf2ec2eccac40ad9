import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ASSET_LIMITS, assetFileOf, assetPathOf } from './asset-layout.ts';
import type { AssetSink } from './site.ts';

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
}

/** Keeps every settled document in memory, by URL path (tests and small tools). */
export class MemoryAssets implements AssetSink, AssetReader {
  readonly tally: Tally = { files: 0, tooBig: [] };
  readonly #files = new Map<string, Uint8Array>();

  put(path: string, parts: readonly Uint8Array[]): void {
    count(this.tally, path, parts);
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

/**
 * Writes settled documents into a fresh folder beside `target`, then puts it in place with
 * renames: until `commit`, the folder the Worker serves from is untouched, and `discard` leaves
 * it exactly as it was. Writes are synchronous because the render that calls `put` is: queued
 * asynchronous writes would hold the whole archive in memory.
 */
export class DirectoryAssets implements AssetSink {
  readonly tally: Tally = { files: 0, tooBig: [] };
  readonly target: string;
  readonly #staging: string;
  readonly #made = new Set<string>();

  constructor(target: string) {
    this.target = target;
    this.#staging = join(dirname(target), `.${basename(target)}.next-${process.pid}`);
  }

  /** Creates the staging folder (removing one a crashed build left). */
  async open(): Promise<void> {
    await rm(this.#staging, { recursive: true, force: true });
    await mkdir(this.#staging, { recursive: true });
    this.#made.add(this.#staging);
  }

  put(path: string, parts: readonly Uint8Array[]): void {
    count(this.tally, path, parts);
    const file = join(this.#staging, assetFileOf(path));
    this.#mkdir(dirname(file));
    writeFileSync(file, Buffer.concat(parts));
  }

  /** Writes a file the asset tier reads itself (`_headers`, `_redirects`). */
  writeControlFile(name: string, text: string): void {
    writeFileSync(join(this.#staging, name), text);
  }

  /** Links an unchanged file from the folder in place (its mtime, and so its local ETag, kept). */
  linkFromTarget(path: string): boolean {
    const relative = assetFileOf(path);
    const from = join(this.target, relative);
    if (!existsSync(from)) return false;
    const file = join(this.#staging, relative);
    this.#mkdir(dirname(file));
    linkSync(from, file);
    return true;
  }

  /**
   * Puts the staging folder in place of `target`: the old folder is renamed aside, the new one
   * into its name, and the old one removed. Between the two renames `target` is missing for an
   * instant; `recoverAssets` puts the old one back if a build dies there.
   */
  async commit(): Promise<void> {
    const aside = `${this.target}.old`;
    await rm(aside, { recursive: true, force: true });
    if (existsSync(this.target)) await rename(this.target, aside);
    await rename(this.#staging, this.target);
    await rm(aside, { recursive: true, force: true });
  }

  /** Removes the staging folder; the folder in place stays as it was. */
  async discard(): Promise<void> {
    await rm(this.#staging, { recursive: true, force: true });
  }

  #mkdir(dir: string): void {
    if (this.#made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.#made.add(dir);
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
          (entry) => entry.isFile() && !(entry.parentPath === dir && entry.name.startsWith('_')),
        )
        .map((entry) => assetPathOf(join(entry.parentPath, entry.name).slice(dir.length + 1)));
    },
  };
}

/**
 * What the build says about the assets: problems that stop it (a file over 25 MiB, more
 * files than any plan holds), and a note naming the plan the site needs.
 */
export function checkAssetLimits(tally: Tally): { problems: string[]; note: string } {
  const problems = tally.tooBig.map(
    (message) => `${message}: Workers Static Assets serves files of at most 25 MiB.`,
  );
  const { files } = tally;
  const count = `${files.toLocaleString('en-US')} static asset file${files === 1 ? '' : 's'}`;
  if (files > ASSET_LIMITS.paid)
    problems.push(
      `${count}: more than the ${ASSET_LIMITS.paid.toLocaleString('en-US')} a Worker version may have on any plan. Raise FEED_ITEM_LIMIT (fewer, longer archive pages) or split the site.`,
    );
  const note =
    files > ASSET_LIMITS.free
      ? `${count}: this site needs the Workers Paid plan (the Free plan allows ${ASSET_LIMITS.free.toLocaleString('en-US')} per version, Paid ${ASSET_LIMITS.paid.toLocaleString('en-US')}).`
      : `${count}: within the Workers Free plan's ${ASSET_LIMITS.free.toLocaleString('en-US')} per version.`;
  return { problems, note };
}

function count(tally: Tally, path: string, parts: readonly Uint8Array[]): void {
  tally.files++;
  let bytes = 0;
  for (const part of parts) bytes += part.byteLength;
  if (bytes > ASSET_LIMITS.fileBytes)
    tally.tooBig.push(`${path}: ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
}
