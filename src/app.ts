import { type Context, Hono } from 'hono';
import { FEED_TYPES, HTML_TYPE, versionFields } from './http/headers.ts';
import { formatHttpDate } from './http/http-date.ts';
import { type AppEnv, allowMethods, conditionalGet, edgeCache, readMoment, responseHeaders, withLifetime } from './http/middleware.ts';
import { createPrebuiltServer } from './http/prebuilt.ts';
import { type ChunkReader, createChunkReader } from './site/chunks.ts';
import { type AnySite, bodyOf, type Moment, momentAt, selectVersion } from './site/lookup.ts';
import { parseFeedQuery, renderFeedQuery } from './site/query.ts';

/** What the app serves and which clock it reads. */
export interface AppOptions {
  /** The generated site: chunks as bytes (the Worker) or as strings (straight from the build). */
  site: AnySite;
  /** Read once per request; tests pass a fixed clock. */
  clock?: () => number;
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

/** The Worker's fetch handler, as `export default` hands it to the runtime. */
export interface App {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContext): Response | Promise<Response>;
}

/**
 * Creates the Worker. A request for a pre-rendered body is answered from the isolate's memory
 * (src/http/prebuilt.ts) without the framework; everything else, and every request when
 * `EDGE_CACHE = "all"`, goes through the Hono app, which is built at the first such request.
 * Both read the clock once per request, and give the same answers.
 */
export function createApp({ site, clock = Date.now }: AppOptions): App {
  const chunks = createChunkReader(site.chunks);
  const prebuilt = site.config.edgeCache === 'all' ? undefined : createPrebuiltServer(site, chunks);
  const moments = new WeakMap<Request, Moment>();
  let app: Hono<AppEnv> | undefined;
  return {
    fetch(request, env, ctx) {
      const moment = momentAt(site, clock());
      try {
        const answer = prebuilt?.(request, moment);
        if (answer) return answer;
      } catch (error) {
        console.error(error); // the app answers instead, and says so if it fails too
      }
      moments.set(request, moment);
      app ??= createHonoApp(site, chunks, (raw) => moments.get(raw) ?? momentAt(site, clock()));
      return app.fetch(request, env, ctx);
    },
  };
}

/** Creates the Hono app: middleware in the order it applies, then the routes. */
function createHonoApp(site: AnySite, chunks: ChunkReader, momentOf: (request: Request) => Moment): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { siteUrl } = site.config;
  const serve = (c: Context<AppEnv>): Response => serveBuilt(c, site, chunks);
  const redirect = (to: (c: Context<AppEnv>) => string) => (c: Context<AppEnv>) => c.redirect(`${siteUrl}${to(c)}`, 301);

  app.onError((error, c) => {
    console.error(error);
    return c.text('Internal error.\n', 500, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  });
  app.use(allowMethods());
  app.use(readMoment(momentOf));
  app.use(conditionalGet());
  app.use(responseHeaders(site));
  app.use(edgeCache(site));

  // Every body is pre-rendered; these routes name the address space and pick a version.
  app.get('/', serve);
  app.get('/rss.xml', serve);
  app.get('/atom.xml', serve);
  app.get('/feed.json', async (c) => (await serveFeedQuery(c, site, chunks)) ?? serve(c));
  app.get('/articles/:slug', serve);
  app.get('/archive/:page/', serve);
  app.get('/archive/:page/:file', serve);
  app.get('/tags/:tag/', serve);
  app.get('/tags/:tag/:file', serve);
  app.get('/tags/:tag/archive/:page/', serve);
  app.get('/tags/:tag/archive/:page/:file', serve);
  app.get('/authors/:author/', serve);
  app.get('/authors/:author/:file', serve);
  app.get('/authors/:author/archive/:page/', serve);
  app.get('/authors/:author/archive/:page/:file', serve);

  // One spelling per resource: the others answer 301.
  app.get('/articles/:slug/', redirect((c) => `/articles/${encodeURIComponent(c.req.param('slug') ?? '')}`));
  // Only spellings that name a page: a tag or author slug has no dot, a page number only digits.
  app.get('/tags/:tag{[^/.]+}', redirect((c) => `/tags/${encodeURIComponent(c.req.param('tag') ?? '')}/`));
  app.get('/authors/:author{[^/.]+}', redirect((c) => `/authors/${encodeURIComponent(c.req.param('author') ?? '')}/`));
  app.get('/archive/:page{[0-9]+}', redirect((c) => `/archive/${c.req.param('page') ?? ''}/`));
  for (const [path, target] of Object.entries(GUESSED_FEED_PATHS)) app.get(path, redirect(() => target));
  // Browsers ask for /favicon.ico on every site: point them at SITE_ICON, or say there is none.
  app.get('/favicon.ico', (c) => (site.config.icon ? c.redirect(site.config.icon, 301) : c.body(null, 204)));

  app.notFound((c) => notFound(c, site, chunks));
  return app;
}

/** Serves the version of the requested path in force now, or 404 when there is none. */
function serveBuilt(c: Context<AppEnv>, site: AnySite, chunks: ChunkReader): Response {
  const version = selectVersion(site, new URL(c.req.url).pathname, c.var.moment.now);
  if (!version) return notFound(c, site, chunks);
  return c.body(bodyOf(chunks, version), 200, withLifetime(Object.fromEntries(versionFields(version)), version.lifetime));
}

/**
 * Serves `/feed.json?limit=…&since=…&tag=…&author=…` for scripts, or undefined when no such
 * parameter is given (the pre-rendered feed then answers). Bad values get 400 with JSON.
 */
async function serveFeedQuery(c: Context<AppEnv>, site: AnySite, chunks: ChunkReader): Promise<Response | undefined> {
  const { now } = c.var.moment;
  const { query, error } = parseFeedQuery(new URL(c.req.url).searchParams, site, now);
  if (error) return c.json({ error: 'invalid_parameter', parameter: error.parameter, message: error.message }, 400);
  if (!query) return undefined;
  const { body, lastModified } = renderFeedQuery(site, chunks, query, now);
  const digest = await crypto.subtle.digest('SHA-256', body);
  const etag = `"q${btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, '-').replace(/\//g, '_').slice(0, 27)}"`;
  const headers: Record<string, string> = { 'Content-Type': FEED_TYPES.json, ETag: etag };
  if (lastModified > 0) headers['Last-Modified'] = formatHttpDate(lastModified);
  return c.body(body, 200, withLifetime(headers, 'feed'));
}

/** People get the HTML 404 page; feed and JSON addresses get a short machine-readable body. */
function notFound(c: Context<AppEnv>, site: AnySite, chunks: ChunkReader): Response {
  const path = c.req.path;
  if (path.endsWith('.json')) return c.json({ error: 'not_found', message: `Nothing is published at ${path}.` }, 404);
  if (path.endsWith('.xml')) return c.text(`Nothing is published at ${path}.\n`, 404);
  return c.body(chunks.bytes(site.notFound), 404, { 'Content-Type': HTML_TYPE });
}
