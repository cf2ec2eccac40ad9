import type { Bytes } from './chunks.ts';

/** A body's codings as files: identity and the two the build compresses. */
export type BodyCoding = 'identity' | 'br' | 'gzip';

/**
 * Where the Worker's own files are in the static assets: its bodies and the query index.
 * wrangler.toml's `run_worker_first` sends requests for this prefix to the Worker, which
 * answers them 404, so a reader never fetches them directly (a scheduled article's body is
 * among them before its instant); the Worker reads them through the `ASSETS` binding.
 */
export const WORKER_FILES_PREFIX = '/_worker/';

/** File name endings by coding: none of them a type the asset tier would treat as a page. */
const ENDINGS: Record<BodyCoding, string> = { identity: '.body', br: '.br', gzip: '.gz' };

/** The asset path of a body's file in a coding. */
export function bodyFilePath(name: string, coding: BodyCoding): string {
  return `${WORKER_FILES_PREFIX}${name}${ENDINGS[coding]}`;
}

/** The asset path of a build's query index. */
export function queryIndexPath(buildId: string): string {
  return `${WORKER_FILES_PREFIX}query.${buildId}.json`;
}

/** The Workers Static Assets binding, as the Worker uses it. */
export interface AssetsBinding {
  fetch(input: string): Promise<Response>;
}

/**
 * A file the Worker expected in its static assets is not there: in `wrangler dev`, for the
 * moment between a rebuild's new assets folder and its new module; never on Cloudflare, where
 * a version's assets and Worker are deployed together.
 */
export class MissingAssetError extends Error {
  constructor(path: string, status: number) {
    super(`the static assets answered ${status} for ${path}`);
  }
}

/** An asset file's bytes through the ASSETS binding; anything but a 200 is a MissingAssetError. */
export async function readAssetFile(assets: AssetsBinding, path: string): Promise<Bytes> {
  // Any origin: the binding goes straight to the asset tier and reads only the path.
  const res = await assets.fetch(`https://assets.invalid${path}`);
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new MissingAssetError(path, res.status);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The bodies an isolate has read, newest use last, up to a budget of bytes: a warm request is
 * answered from memory like a body in the bundle, while the isolate's memory (128 MB) stays
 * bounded however many documents the site has. A body over the budget is sent but not kept.
 */
export class BodyMemo {
  readonly #budget: number;
  readonly #kept = new Map<string, Bytes>();
  #bytes = 0;

  constructor(budgetBytes: number) {
    this.#budget = budgetBytes;
  }

  /** The bytes of `path` if kept, marking them as the newest used. */
  get(path: string): Bytes | undefined {
    const bytes = this.#kept.get(path);
    if (bytes !== undefined) {
      this.#kept.delete(path);
      this.#kept.set(path, bytes);
    }
    return bytes;
  }

  /** Keeps the bytes of `path`, dropping the least recently used ones beyond the budget. */
  set(path: string, bytes: Bytes): void {
    if (bytes.byteLength > this.#budget) return;
    const known = this.#kept.get(path);
    if (known !== undefined) {
      this.#kept.delete(path);
      this.#bytes -= known.byteLength;
    }
    this.#kept.set(path, bytes);
    this.#bytes += bytes.byteLength;
    for (const [oldest, dropped] of this.#kept) {
      if (this.#bytes <= this.#budget) break;
      this.#kept.delete(oldest);
      this.#bytes -= dropped.byteLength;
    }
  }

  /** Bytes kept now. */
  get bytes(): number {
    return this.#bytes;
  }
}
