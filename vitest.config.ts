import { readFileSync } from 'node:fs';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { parse } from 'smol-toml';
import { defineConfig } from 'vitest/config';
import { WORKER_FILES_PREFIX } from './src/site/bodies.ts';
import { assetsBindingOf, FIXTURE_SITES } from './test/support/fixture-sites.ts';

/** The parts of wrangler.toml the fixtures' asset tiers copy. */
interface WranglerAssets {
  compatibility_date: string;
  assets: { html_handling?: string; not_found_handling?: string; run_worker_first?: unknown };
}

const wrangler = parse(readFileSync('wrangler.toml', 'utf8')) as unknown as WranglerAssets;
// test/worker/support.ts routes requests as Cloudflare's router does for exactly this
// configuration: with other run_worker_first patterns or another not_found_handling it would
// route differently.
if (
  JSON.stringify(wrangler.assets.run_worker_first) !==
    JSON.stringify([`${WORKER_FILES_PREFIX}*`]) ||
  (wrangler.assets.not_found_handling ?? 'none') !== 'none'
)
  throw new Error(
    `wrangler.toml [assets]: test/worker/support.ts routeRequest emulates only not_found_handling = "none" with run_worker_first = ["${WORKER_FILES_PREFIX}*"]; teach it the new routing first.`,
  );

/**
 * Each fixture site's settled documents, served by miniflare's real asset worker: an
 * auxiliary Worker per fixture with that fixture's assets folder (built by global-setup) and
 * the `[assets]` options of wrangler.toml. Its `Assets` entrypoint hands the runner the
 * asset binding itself: `fetch`, and the `unstable_canFetch` check Cloudflare's router makes.
 * (A service binding without an entrypoint would go through that Worker's router instead.)
 */
const FIXTURE_ASSETS_SCRIPT = `import { WorkerEntrypoint } from 'cloudflare:workers';
export class Assets extends WorkerEntrypoint {
  fetch(request) { return this.env.ASSETS.fetch(request); }
  unstable_canFetch(request) { return this.env.ASSETS.unstable_canFetch(request); }
}
export default { fetch() { return new Response('Only the Assets entrypoint is used.', { status: 500 }); } };
`;
const fixtureWorkers = FIXTURE_SITES.map((name) => ({
  name: `fixture-assets-${name}`,
  modules: true,
  script: FIXTURE_ASSETS_SCRIPT,
  compatibilityDate: wrangler.compatibility_date,
  assets: {
    directory: `test/generated/${name}.assets`,
    binding: 'ASSETS',
    assetConfig: {
      ...(wrangler.assets.html_handling ? { html_handling: wrangler.assets.html_handling } : {}),
    },
  },
}));
const fixtureBindings = Object.fromEntries(
  FIXTURE_SITES.map((name) => [
    assetsBindingOf(name),
    { name: `fixture-assets-${name}`, entrypoint: 'Assets' },
  ]),
);

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Vitest leaves one core idle by default; on the 2-core machines here that halves the speed.
    maxWorkers: 2,
    projects: [
      // Pure tier: the build step and the renderers, in Node.
      {
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          // One module graph per worker, not per file: importing the build, the renderers and
          // their libraries again for each of 37 files was a quarter of the run. The files
          // share no state but the build's memos (code version, parsed config), which hold for
          // every file alike.
          isolate: false,
        },
      },
      // End-to-end: `npm start` itself, a server and its rebuilds (about 10 s). It runs with the
      // browser test (`npm run test:browser`), which starts `npm start` too, not in `npm test`.
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      // HTTP tier: the Worker inside workerd, with the Cache API and the static assets
      // (wrangler.toml `[assets]`, and one folder per fixture site) that miniflare provides.
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { workers: fixtureWorkers, serviceBindings: fixtureBindings },
          }),
        ],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          testTimeout: 30_000,
          // One workerd runner per worker, not per file: starting one for each of 11 files was
          // about 2 s each. The files share nothing but the edge cache, whose keys carry a
          // build id each test makes fresh (test/worker/fixture-app.ts, edge-cache.test.ts).
          isolate: false,
        },
      },
    ],
  },
});
