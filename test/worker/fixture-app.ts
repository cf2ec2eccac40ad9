import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app.ts';
import type { EdgeCacheScope, ServedSite } from '../../src/site/types.ts';
import { site as archived } from '../generated/archived.js';
import { site as hostile } from '../generated/hostile.js';
import { site as paged } from '../generated/paged.js';
import { site as scheduled } from '../generated/scheduled.js';
import { site as scheduledPages } from '../generated/scheduled-pages.js';
import { assetsBindingOf, type FixtureSiteName } from '../support/fixture-sites.ts';
import { type AssetsBinding, bindingOf, routeRequest } from './support.ts';

/** Every fixture module global-setup builds, by the name of its assets folder. */
const FIXTURES = new Map<ServedSite, FixtureSiteName>([
  [hostile, 'hostile'],
  [paged, 'paged'],
  [archived, 'archived'],
  [scheduled, 'scheduled'],
  [scheduledPages, 'scheduled-pages'],
]);

/** The static assets the build wrote beside a fixture module (`test/generated/<name>.assets/`). */
export function fixtureAssets(site: ServedSite): AssetsBinding {
  const name = FIXTURES.get(site);
  if (!name) throw new Error('not a fixture module of test/generated: its assets are unknown');
  return bindingOf(assetsBindingOf(name));
}

/** How serveFixture serves a fixture. */
export interface ServeOptions {
  /** A namespace for its edge-cache entries; a fresh one by default, so they start empty. */
  buildId?: string;
  /** Replaces the fixture's EDGE_CACHE. */
  edgeCache?: EdgeCacheScope;
  /** Replaces parts of the generated site (to break it on purpose). */
  changes?: Partial<ServedSite>;
  /** Replaces the fixed clock. */
  clock?: () => number;
}

/**
 * Serves a fixture site at a fixed instant as Cloudflare would: its settled documents from its
 * own assets folder through the real asset worker, everything else from the app, which gets
 * that folder as `env.ASSETS`. Returns a fetch that takes a path (or a full URL).
 */
export function serveFixture(
  site: ServedSite,
  now: number,
  options: ServeOptions = {},
): (path: string, init?: RequestInit) => Promise<Response> {
  const assets = fixtureAssets(site);
  const { buildId = `fixture-${crypto.randomUUID()}`, edgeCache, changes, clock } = options;
  const served: ServedSite = { ...site, ...changes, buildId };
  if (edgeCache) served.config = { ...served.config, edgeCache };
  const app = createApp({ site: served, clock: clock ?? (() => now) });
  const worker = async (request: Request): Promise<Response> => {
    const ctx = createExecutionContext();
    const res = await app.fetch(request, { ASSETS: assets }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  return (path, init) =>
    routeRequest(
      new Request(path.startsWith('http') ? path : `https://news.example${path}`, init),
      assets,
      worker,
    );
}
