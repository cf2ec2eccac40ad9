import { type Context, Hono } from 'hono';
import { type CacheClass, createCacheControl } from './http/cache-control.ts';
import { answerConditional } from './http/conditional.ts';
import {
  codedEtag,
  encodingFields,
  negotiateCoding,
  RUNTIME_CODINGS,
  readAcceptEncoding,
} from './http/content-coding.ts';
import { createEdgeCache, type EdgeCache, type EdgeTarget, type Made } from './http/edge-cache.ts';
import {
  type BodyKind,
  CONTENT_TYPES,
  type EdgeStatus,
  listSharedFields,
  versionFields,
} from './http/headers.ts';
import { answerMethod } from './http/methods.ts';
import {
  answerPrebuilt,
  createPrebuilt,
  findPrebuilt,
  type Prebuilt,
  readVariant,
  selectVariant,
} from './http/prebuilt.ts';
import { type AssetsBinding, MissingAssetError, readAssetFile } from './site/bodies.ts';
import { type ChunkReader, createChunkReader } from './site/chunks.ts';
import { formatEtag } from './site/etag.ts';
import { type AnySite, type Moment, momentAt } from './site/lookup.ts';
import {
  type ArchiveReader,
  isFeedQuery,
  loadQueryItems,
  parseFeedQuery,
  QUERY_PARAMS,
  renderFeedQuery,
} from './site/query.ts';

/** What the app serves and which clock it reads. */
export interface AppOptions {
  /** The generated site: chunks as bytes (the Worker) or as strings (straight from the build). */
  site: AnySite;
  /** Read once per request; tests pass a fixed clock. */
  clock?: () => number;
}

/** The Worker's fetch handler, as `export default` hands it to the runtime. */
export interface App {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContext): Response | Promise<Response>;
}

/** Addresses feed readers commonly guess, and the canonical feed each one means. */
const GUESSED_FEED_PATHS: Record<string, string> = {
  '/feed': '/rss.xml',
  '/feed/': '/rss.xml',
  '/rss': '/rss.xml',
  '/rss/': '/rss.xml',
  '/index.xml': '/rss.xml',
  '/feed.xml': '/atom.xml',
  '/atom': '/atom.xml',
  '/atom/': '/atom.xml',
  '/index.html': '/',
};

/** What the router's handlers receive with each request, as values. */
interface RouterEnv {
  Bindings: { moment: Moment; ctx: ExecutionContext | undefined; readAsset?: ArchiveReader };
}

/** The Worker's bindings the app uses: the static assets, where its bodies and the settled archives are. */
interface WorkerEnv {
  ASSETS?: AssetsBinding;
}

/**
 * Creates the Worker. The clock is read once per request, and every answer is made in one of
 * these places, in the order a request meets them:
 * 1. `answerMethod` (src/http/methods.ts): 204 to OPTIONS, 405 to methods other than GET and HEAD;
 * 2. `answerPrebuilt` (src/http/prebuilt.ts): a pre-rendered body in force, 200 or 304, its
 *    fields made once per isolate and its bytes read once per isolate from the Worker's files
 *    in the static assets; with `EDGE_CACHE = "all"` the edge cache (src/http/edge-cache.ts)
 *    stands in front of it, but for a 304;
 * 3. the router (`createRouter` below, Hono, built at the first request that needs it): the
 *    feed query, redirects, /favicon.ico and 404;
 * 4. `answerError`: 500 for an exception anywhere, 503 for a Worker file missing from the assets.
 *
 * Settled documents (article pages, archive pages with a newer page above them) never reach
 * it: Cloudflare's asset tier answers them from the build's `site.assets` folder, with the
 * fields its `_headers` gives (src/prerender/asset-layout.ts). The app reads that folder through
 * the `ASSETS` binding: its own bodies and query index under `/_worker/` (src/site/bodies.ts),
 * and the feed query's archived items.
 */
export function createApp({ site, clock = Date.now }: AppOptions): App {
  const scope = site.config.edgeCache;
  const chunks = createChunkReader(site.chunks);
  const edge = scope === 'off' ? undefined : createEdgeCache(site);
  const edgeForAll = scope === 'all' ? edge : undefined;
  const prebuilt = createPrebuilt(site, chunks, edgeForAll ? 'MISS' : 'BYPASS');
  let router: Hono<RouterEnv> | undefined;
  return {
    fetch(request, env, ctx) {
      try {
        const refused = answerMethod(request.method);
        if (refused) return refused;
        const moment = momentAt(site, clock());
        const found = findPrebuilt(prebuilt, request, moment);
        const assets = (env as WorkerEnv | undefined)?.ASSETS;
        if (found) {
          const variant = selectVariant(prebuilt, found, request);
          const answer = answerPrebuilt(prebuilt, found, request, moment, variant, assets);
          if (edgeForAll === undefined)
            return answer instanceof Promise ? answer.catch(answerError) : answer;
          return Promise.resolve(answer)
            .then(async (answer) => {
              // A reader whose copy is current gets its 304 from memory even with the edge cache in front.
              if (answer.status === 304) return answer;
              const target: EdgeTarget = {
                keptParams: [],
                lifetime: found.version.lifetime,
                type: found.version.type,
              };
              return edgeForAll.serve(request, moment, ctx, target, variant.coding, async () => ({
                answer,
                stored: {
                  body: await readVariant(prebuilt, variant, assets),
                  fields: variant.own,
                  coding: variant.precompressed ? variant.coding : 'identity',
                },
              }));
            })
            .catch(answerError);
        }
        router ??= createRouter(site, chunks, edge, scope === 'all');
        const readAsset = assets && readThrough(prebuilt, assets);
        return router.fetch(request, { moment, ctx, ...(readAsset ? { readAsset } : {}) }, ctx);
      } catch (error) {
        return answerError(error);
      }
    },
  };
}

/**
 * The answers that are not pre-rendered bodies, one route each: the feed query (computed per
 * request, behind the edge cache unless `EDGE_CACHE = "off"`), the other spellings of
 * published addresses (301), /favicon.ico, and 404 for anything else. Only GET and HEAD reach
 * it. `edgeEverywhere` (`EDGE_CACHE = "all"`) puts the edge cache in front of every route; the
 * answers other than a query's 200 are never stored, so they say MISS without a lookup.
 */
function createRouter(
  site: AnySite,
  chunks: ChunkReader,
  edge: EdgeCache | undefined,
  edgeEverywhere: boolean,
): Hono<RouterEnv> {
  const app = new Hono<RouterEnv>();
  const { siteUrl } = site.config;
  const unstored: EdgeStatus = edgeEverywhere ? 'MISS' : 'BYPASS';
  const queryEdge: EdgeStatus = edge ? 'MISS' : 'BYPASS';
  const finish = (
    c: Context<RouterEnv>,
    res: Response,
    cacheClass: CacheClass | undefined,
    kind: BodyKind,
    edgeStatus = unstored,
  ): Response => addSharedFields(res, cacheClass, kind, edgeStatus, c.env.moment, site);
  const redirect = (to: (c: Context<RouterEnv>) => string) => (c: Context<RouterEnv>) =>
    finish(c, c.redirect(`${siteUrl}${to(c)}`, 301), 'page', 'none');
  const notFound = (c: Context<RouterEnv>): Response => {
    const path = c.req.path;
    if (path.endsWith('.json'))
      return finish(
        c,
        c.json({ error: 'not_found', message: `Nothing is published at ${path}.` }, 404),
        'error',
        'json',
      );
    if (path.endsWith('.xml'))
      return finish(c, c.text(`Nothing is published at ${path}.\n`, 404), 'error', 'text');
    return finish(
      c,
      c.body(chunks.bytes(site.notFound), 404, { 'Content-Type': CONTENT_TYPES.html }),
      'error',
      'html',
    );
  };

  app.onError((error) => answerError(error));

  // `/feed.json?limit=…&since=…&tag=…&author=…` for scripts; bad values get 400 with JSON.
  app.get('/feed.json', async (c) => {
    const { moment, ctx, readAsset } = c.env;
    const params = new URL(c.req.url).searchParams;
    // Without a query parameter the index is not needed: the answer is a 404.
    const items = isFeedQuery(params) ? await loadQueryItems(site, readAsset) : [];
    const { query, error } = parseFeedQuery(params, site, items, moment.now);
    // A refusal needs no lookup: it is never stored, and its parameters are in the key, so no stored 200 shares it.
    if (error)
      return finish(
        c,
        c.json(
          { error: 'invalid_parameter', parameter: error.parameter, message: error.message },
          400,
        ),
        'error',
        'json',
        queryEdge,
      );
    // No query parameter: the pre-rendered feed would have answered before the router, so the site has none.
    if (!query) return notFound(c);
    // Computed per request, so compressed by the runtime as it is sent (the default encodeBody).
    const coding = negotiateCoding(readAcceptEncoding(c.req.raw), RUNTIME_CODINGS);
    const make = async (): Promise<Made> => {
      const { body, lastModified } = await renderFeedQuery(
        site,
        chunks,
        items,
        query,
        moment.now,
        readAsset,
      );
      const etag = formatEtag(await crypto.subtle.digest('SHA-256', body), 'query');
      const fields = [
        ...versionFields({ type: 'json', etag: codedEtag(etag, coding, true), lastModified }),
        ...encodingFields(coding),
      ];
      const cacheControl: [string, string] = [
        'Cache-Control',
        createCacheControl('feed', site.config.cache, moment.now, moment.nextChangeAt),
      ];
      const ok = [...fields, ...listSharedFields('json', true, queryEdge, site), cacheControl];
      return {
        answer: answerConditional(c.req.raw, { etag, lastModified }, moment.now, body, { ok }),
        stored: { body, fields, coding: 'identity' },
      };
    };
    return edge
      ? edge.serve(c.req.raw, moment, ctx, QUERY_TARGET, coding, make)
      : (await make()).answer;
  });

  // One spelling per resource: the others answer 301.
  app.get(
    '/articles/:slug/',
    redirect((c) => `/articles/${encodeURIComponent(c.req.param('slug') ?? '')}`),
  );
  // Only spellings that name a page: a tag or author slug has no dot, a page number only digits.
  app.get(
    '/tags/:tag{[^/.]+}',
    redirect((c) => `/tags/${encodeURIComponent(c.req.param('tag') ?? '')}/`),
  );
  app.get(
    '/authors/:author{[^/.]+}',
    redirect((c) => `/authors/${encodeURIComponent(c.req.param('author') ?? '')}/`),
  );
  app.get(
    '/archive/:page{[0-9]+}',
    redirect((c) => `/archive/${c.req.param('page') ?? ''}/`),
  );
  for (const [path, target] of Object.entries(GUESSED_FEED_PATHS))
    app.get(
      path,
      redirect(() => target),
    );
  // Browsers ask for /favicon.ico on every site: point them at SITE_ICON, or say there is none.
  app.get('/favicon.ico', (c) =>
    site.config.icon
      ? finish(c, c.redirect(site.config.icon, 301), 'page', 'none')
      : finish(c, c.body(null, 204), undefined, 'none'),
  );

  // People get the HTML 404 page; feed and JSON addresses get a short machine-readable body.
  app.notFound(notFound);
  return app;
}

/** Query results: a JSON Feed with the feed lifetime, in the key by their parameters. */
const QUERY_TARGET: EdgeTarget = { keptParams: QUERY_PARAMS, lifetime: 'feed', type: 'json' };

/**
 * Gives one of the router's answers the fields every answer gets, from values: Cache-Control
 * for its lifetime class now (`no-store` without one), and those of its body's kind and of the
 * edge cache (src/http/headers.ts).
 */
function addSharedFields(
  res: Response,
  cacheClass: CacheClass | undefined,
  kind: BodyKind,
  edge: EdgeStatus,
  moment: Moment,
  site: AnySite,
): Response {
  res.headers.set(
    'Cache-Control',
    cacheClass === undefined
      ? 'no-store'
      : createCacheControl(cacheClass, site.config.cache, moment.now, moment.nextChangeAt),
  );
  for (const [name, value] of listSharedFields(kind, res.body !== null, edge, site))
    res.headers.set(name, value);
  return res;
}

/** Reads asset files for the query: a body the isolate keeps is not read again. */
function readThrough(prebuilt: Prebuilt, assets: AssetsBinding): ArchiveReader {
  return async (path) => prebuilt.memo.get(path) ?? (await readAssetFile(assets, path));
}

/**
 * The one answer to an exception, wherever it was thrown: logged, and a 500 that no cache
 * keeps; a 503 with Retry-After when a file of the Worker's is missing from its static assets
 * (`wrangler dev` between a rebuild's assets and its module), which the next request finds.
 */
function answerError(error: unknown): Response {
  console.error(error);
  if (error instanceof MissingAssetError)
    return new Response('The site is being updated; try again in a moment.\n', {
      status: 503,
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
        'Retry-After': '1',
        'X-Content-Type-Options': 'nosniff',
      },
    });
  return new Response('Internal error.\n', {
    status: 500,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
