// Builds fixture articles with the real build step and serves the result as Cloudflare would, in
// Node: settled documents from the static assets (test/support/asset-tier.ts), the rest through
// the Worker's app. Tests read feeds and pages over HTTP, never through the generated site's shape.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawVars } from '../../src/content/config.ts';
import { renderHeadersFile, renderRedirectsFile } from '../../src/prerender/asset-layout.ts';
import { runBuild } from '../../src/prerender/run.ts';
import { WORKER_FILES_PREFIX } from '../../src/site/bodies.ts';
import { createAssetTier } from './asset-tier.ts';
import { FIXTURE_VARS } from './fixtures.ts';

/** An article file exactly as it lies on disk: text is written as UTF-8, bytes as they are. */
export interface RawArticleFile {
  name: string;
  content: string | Uint8Array;
}

/** Options for buildAndServe. */
export interface ServeFixtureOptions {
  /** Merged over FIXTURE_VARS. */
  vars?: RawVars;
  /** The build's instant and the app's clock. */
  now: number;
}

/** A fixture site answering requests as the Worker would. */
export interface ServedFixture {
  /** Sends a request for `path` (with query) at https://news.example. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** The outcome of buildAndServe: the served site, or the build's messages. */
export type ServeFixtureResult =
  | { ok: true; served: ServedFixture }
  | { ok: false; messages: string[] };

// The app is loaded by a specifier the type checker does not follow: src/app.ts is checked with
// the Worker's types (tsconfig.json, `caches.default`), not with Node's. It runs in Node as is:
// without `caches` the edge cache is skipped.
export const APP_MODULE: string = new URL('../../src/app.ts', import.meta.url).href;

/** The part of src/app.ts the Node tier's tests use. */
export interface AppModule {
  createApp(options: { site: unknown; clock: () => number }): {
    fetch(request: Request, env?: unknown): Response | Promise<Response>;
  };
}

/** Writes article files into a fresh temporary project folder and returns its path. */
async function writeRawArticles(files: readonly RawArticleFile[]): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'feed-publisher-'));
  await mkdir(join(root, 'articles'));
  for (const file of files) await writeFile(join(root, 'articles', file.name), file.content);
  return root;
}

/**
 * Builds the files with runBuild (nothing written but the temporary folder, removed afterwards,
 * the assets kept in memory) and, when the build succeeds, serves the site as the platform's
 * router does with `not_found_handling = "none"` and `run_worker_first = ["/_worker/*"]`
 * (docs/static-assets.md §5): the asset tier when it has an answer, else the Worker's app with
 * a fixed clock and an ASSETS binding.
 */
export async function buildAndServe(
  files: readonly RawArticleFile[],
  options: ServeFixtureOptions,
): Promise<ServeFixtureResult> {
  const root = await writeRawArticles(files);
  let result: Awaited<ReturnType<typeof runBuild>>;
  try {
    result = await runBuild({
      root,
      vars: { ...FIXTURE_VARS, ...options.vars },
      now: options.now,
      keepAssets: true,
      // The folder is thrown away: a cache in it would only be written, never read.
      cache: false,
      // Every answer here is identity: brotli would cost each of the property test's builds.
      compress: false,
    });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  if (!result.ok) return { ok: false, messages: result.messages };
  const { createApp } = (await import(APP_MODULE)) as AppModule;
  const app = createApp({ site: result.site, clock: () => options.now });
  const { site, assets } = result;
  if (!assets) throw new Error('the build kept no assets');
  const tier = createAssetTier(
    assets,
    renderHeadersFile(site.config, site.contentSecurityPolicy),
    renderRedirectsFile(site.config),
  );
  // The binding goes straight to the asset tier; a miss is a bodiless 404 (§5).
  const env = {
    ASSETS: {
      fetch: async (input: string) =>
        (await tier(new Request(input))) ?? new Response(null, { status: 404 }),
    },
  };
  return {
    ok: true,
    served: {
      fetch: async (path, init) => {
        const request = new Request(new URL(path, 'https://news.example'), init);
        // run_worker_first (wrangler.toml): the Worker's own files are never served to readers.
        const workerFirst = new URL(request.url).pathname.startsWith(WORKER_FILES_PREFIX);
        return (workerFirst ? undefined : await tier(request.clone())) ?? app.fetch(request, env);
      },
    },
  };
}
