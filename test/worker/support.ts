import { env, exports } from 'cloudflare:workers';
import { WORKER_FILES_PREFIX } from '../../src/site/bodies.ts';
import { parseFeedXml, type XmlValue } from '../support/feed-xml.ts';

/** Where the real Worker is addressed (wrangler.toml SITE_URL). */
export const WORKER_ORIGIN = 'http://127.0.0.1:8787';

/**
 * A Workers Static Assets binding as Cloudflare's router uses it: the asset worker's answer,
 * and its check whether it has one (miniflare `assets.worker.js` `canFetch`).
 */
export interface AssetsBinding {
  fetch(request: Request | string): Promise<Response>;
  unstable_canFetch(request: Request): Promise<boolean>;
}

/** A binding of the runner by name (wrangler.toml, vitest.config.ts); throws when it is missing. */
export function bindingOf(name: string): AssetsBinding {
  const binding = (env as unknown as Record<string, AssetsBinding | undefined>)[name];
  if (!binding) throw new Error(`the worker tier has no ${name} binding (vitest.config.ts)`);
  return binding;
}

/** The redirect statuses a client follows (Fetch standard, "redirect status"). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Fetch's own limit on redirects followed. */
const MAX_REDIRECTS = 20;

/**
 * Answers a request as Cloudflare's router does in front of a Worker with static assets,
 * `not_found_handling = "none"` and `run_worker_first = ["/_worker/*"]` (miniflare
 * `router.worker.js` `RouterInnerEntrypoint.fetch`; vitest.config.ts checks wrangler.toml says
 * so): a path under the Worker's own prefix goes to the Worker; for any other, it asks the asset
 * worker `unstable_canFetch` with the request's URL, method and headers, and sends the request
 * to the assets when they have an answer (a file, an `html_handling` or `_redirects` redirect,
 * or a 405 for a method other than GET and HEAD on a file), else to the Worker. Neither tier follows redirects; with
 * `redirect: "follow"` (fetch's default) this does, as a client would, through the router again.
 */
export async function routeRequest(
  request: Request,
  assets: AssetsBinding,
  worker: (request: Request) => Promise<Response>,
): Promise<Response> {
  let current = request;
  for (let hops = 0; ; hops++) {
    const probe = new Request(current.url, { method: current.method, headers: current.headers });
    const manual = new Request(current, { redirect: 'manual' });
    const workerFirst = new URL(current.url).pathname.startsWith(WORKER_FILES_PREFIX);
    const res =
      !workerFirst && (await assets.unstable_canFetch(probe))
        ? await assets.fetch(manual)
        : await worker(manual);
    const location = res.headers.get('location');
    if (request.redirect !== 'follow' || !REDIRECTS.has(res.status) || location === null)
      return res;
    if (hops === MAX_REDIRECTS)
      throw new Error(`more than ${MAX_REDIRECTS} redirects from ${request.url}`);
    await res.body?.cancel();
    current = new Request(new URL(location, current.url), {
      method: res.status === 303 ? 'GET' : current.method,
      headers: current.headers,
    });
  }
}

/**
 * Sends a request to the real Worker behind its static assets (wrangler.toml `[assets]`), as
 * an HTTP client reaches them: routed as Cloudflare routes it, the Worker getting its `env`
 * (with `ASSETS`) from the runtime. `exports.default` alone would never see the assets.
 */
export function fetchWorker(path: string, init: RequestInit = {}): Promise<Response> {
  return routeRequest(new Request(`${WORKER_ORIGIN}${path}`, init), bindingOf('ASSETS'), (r) =>
    exports.default.fetch(r),
  );
}

/** Whether the real site's static assets answer `path` (the router would not run the Worker). */
export function isWorkerAsset(path: string, init: RequestInit = {}): Promise<boolean> {
  return bindingOf('ASSETS').unstable_canFetch(new Request(`${WORKER_ORIGIN}${path}`, init));
}

export type { XmlValue };

/** A strict-enough XML parser that keeps attributes, for reading feed fields. */
export function parseXml(xml: string): Record<string, XmlValue> {
  return parseFeedXml(xml);
}
