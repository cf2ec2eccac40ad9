import { type Context, Hono } from 'hono';
import {
  type AppEnv,
  allowMethods,
  conditionalGet,
  edgeCache,
  FEED_TYPES,
  HTML_TYPE,
  readMoment,
  responseHeaders,
} from './http/middleware.ts';
import { formatHttpDate } from './http/http-date.ts';
import type { BuiltSite, Rendered } from './site/types.ts';

/** What the app serves and which clock it reads. */
export interface AppOptions {
  site: BuiltSite;
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
};

/** Creates the Worker's Hono app: middleware in the order it applies, then the routes. */
export function createApp({ site, clock = Date.now }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { siteUrl } = site.config;

  app.onError((error, c) => {
    console.error(error);
    return c.text('Internal error.\n', 500, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  });
  app.use(allowMethods());
  app.use(readMoment(site, clock));
  app.use(conditionalGet());
  app.use(responseHeaders(site));
  app.use(edgeCache(site));

  app.get('/rss.xml', (c) => send(c, c.var.moment.edition.rss, FEED_TYPES.rss));
  app.get('/atom.xml', (c) => send(c, c.var.moment.edition.atom, FEED_TYPES.atom));
  app.get('/feed.json', (c) => send(c, c.var.moment.edition.json, FEED_TYPES.json));
  app.get('/', (c) => send(c, c.var.moment.edition.index, HTML_TYPE));
  app.get('/articles/:slug', (c) => {
    const slug = c.req.param('slug');
    const page = Object.hasOwn(site.pages, slug) ? site.pages[slug] : undefined;
    // A scheduled article does not exist until its publication instant.
    if (!page || page.visibleFrom > c.var.moment.now) return notFound(c, site);
    return send(c, page, HTML_TYPE);
  });
  app.get('/articles/:slug/', (c) => c.redirect(`${siteUrl}/articles/${encodeURIComponent(c.req.param('slug'))}`, 301));
  app.get('/index.html', (c) => c.redirect(`${siteUrl}/`, 301));
  for (const [path, target] of Object.entries(GUESSED_FEED_PATHS)) {
    app.get(path, (c) => c.redirect(`${siteUrl}${target}`, 301));
  }
  app.notFound((c) => notFound(c, site));
  return app;
}

function send(c: Context<AppEnv>, rendered: Rendered, contentType: string): Response {
  const headers: Record<string, string> = { 'Content-Type': contentType, ETag: rendered.etag };
  if (rendered.lastModified > 0) headers['Last-Modified'] = formatHttpDate(rendered.lastModified);
  return c.body(rendered.body, 200, headers);
}

/** People get the HTML 404 page; feed and JSON addresses get a short machine-readable body. */
function notFound(c: Context<AppEnv>, site: BuiltSite): Response {
  const path = c.req.path;
  if (path.endsWith('.json')) return c.json({ error: 'not_found', message: `Nothing is published at ${path}.` }, 404);
  if (path.endsWith('.xml')) return c.text(`Nothing is published at ${path}.\n`, 404);
  return c.body(site.notFound.body, 404, { 'Content-Type': HTML_TYPE });
}
