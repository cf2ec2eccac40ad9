// The benchmark Worker: the project's app exactly as src/index.ts builds it, plus routes
// under `/__` that the measurements compare it with. Bundled by wrangler from an entry the
// runner writes next to each synthetic site (entries.ts), which imports `createApp` and the
// site module and passes the app in. (This file imports nothing from src/, so that the Node
// type check of scripts/ does not type-check the Worker code against Node's globals.)
import { Feed } from 'feed';
import { Hono } from 'hono';
import { createControlRoutes } from './control-routes.ts';

/** What the bench Worker calls of the app: the fetch handler `createApp({ site })` returns. */
export interface BenchApp {
  fetch(request: Request, env: unknown, ctx: unknown): Response | Promise<Response>;
}
type App = BenchApp;
type FetchContext = unknown;

/** One feed item as the naive per-request route rebuilds it. */
export interface NaiveItem {
  id: string;
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  publishedAt: string;
}

/** Data embedded in the bench Worker for the naive route: the newest articles, as the JSON feed lists them. */
export interface NaiveData {
  title: string;
  home: string;
  items: NaiveItem[];
}

/** What the bench Worker serves. */
export interface BenchWorkerOptions {
  /** The app as src/index.ts makes it (the site's own [vars]: EDGE_CACHE = "computed"). */
  app: BenchApp;
  /** The same app and site with EDGE_CACHE = "all": the Cache API in front of every route. */
  appAll: BenchApp;
  /** The same with EDGE_CACHE = "off": no Cache API at all. */
  appOff: BenchApp;
  naive: NaiveData;
}

/** A pre-encoded copy of one of the app's answers. */
interface Replay {
  status: number;
  headers: [string, string][];
  text: string;
  bytes: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
  /** The app's own br answer to the path: its fields and the bytes it sends as they are. */
  brHeaders: [string, string][];
  br: Uint8Array<ArrayBuffer>;
}

const REPLAY = /^\/__direct\/(text|bytes|gzip|br)(\/.*)$/;
const ALL = '/__all/';
const OFF = '/__off/';

/**
 * Creates the bench Worker. Every path outside `/__` goes to the app untouched. Inside:
 * - `/__control/<size>`, `/__control-bytes/<size>`, `/__control/304`: constant answers;
 * - `/__naive/rss.xml`: `new Feed()`, `addItem` per article and `rss2()` on every request;
 * - `/__direct/<text|bytes|gzip|br>/<path>`: the app's answer for `<path>`, captured once per
 *   isolate and replayed without the app, as a string, as bytes encoded once, gzipped once, or
 *   as the app's own br answer (its pre-compressed bytes and fields), the last two sent with
 *   `encodeBody: "manual"`: the constant Worker a br answer is measured against;
 * - `/__all/<path>`, `/__off/<path>`: the answer for `<path>` from the app with EDGE_CACHE =
 *   "all" or "off";
 * - `/__hono/<path>`: the bytes of `/__direct/bytes/<path>` from a bare Hono app with one
 *   route and no middleware: the framework's own floor.
 */
export function createBenchWorker({ app, appAll, appOff, naive }: BenchWorkerOptions): {
  fetch(request: Request, env: unknown, ctx: FetchContext): Response | Promise<Response>;
} {
  const controls = createControlRoutes();
  const replays = new Map<string, Promise<Replay>>();

  const replayOf = (
    path: string,
    request: Request,
    env: unknown,
    ctx: FetchContext,
  ): Promise<Replay> => {
    let captured = replays.get(path);
    if (!captured) {
      captured = capture(app, new URL(path, request.url).href, env, ctx);
      replays.set(path, captured);
    }
    return captured;
  };
  const replay = async (
    mode: string,
    path: string,
    request: Request,
    env: unknown,
    ctx: FetchContext,
  ): Promise<Response> => {
    const { status, headers, text, bytes, gzip, br, brHeaders } = await replayOf(
      path,
      request,
      env,
      ctx,
    );
    if (mode === 'text') return new Response(text, { status, headers });
    if (mode === 'bytes') return new Response(bytes, { status, headers });
    if (mode === 'br')
      return new Response(br, {
        status,
        headers: brHeaders,
        encodeBody: 'manual',
      } as ResponseInit);
    return new Response(gzip, {
      status,
      headers: [...headers, ['Content-Encoding', 'gzip']],
      encodeBody: 'manual',
    } as ResponseInit);
  };

  const bare = new Hono();
  bare.get('/__hono/*', async (c) => {
    const { status, headers, bytes } = await replayOf(
      c.req.path.slice('/__hono'.length),
      c.req.raw,
      c.env,
      c.executionCtx,
    );
    return c.body(bytes, status as 200, Object.fromEntries(headers));
  });

  return {
    fetch(request, env, ctx) {
      const url = request.url;
      const at = url.indexOf('/__');
      if (at < 0) return app.fetch(request, env, ctx);
      const path = url.slice(at);
      const control = controls(path);
      if (control) return control;
      if (path === '/__naive/rss.xml') return renderNaiveRss(naive);
      if (path.startsWith('/__hono/')) return bare.fetch(request, env as object, ctx as never);
      if (path.startsWith(ALL))
        return appAll.fetch(
          new Request(new URL(path.slice(ALL.length - 1), url), request),
          env,
          ctx,
        );
      if (path.startsWith(OFF))
        return appOff.fetch(
          new Request(new URL(path.slice(OFF.length - 1), url), request),
          env,
          ctx,
        );
      const match = REPLAY.exec(path);
      if (match?.[1] && match[2]) return replay(match[1], match[2], request, env, ctx);
      return new Response('Not found.\n', { status: 404 });
    },
  };
}

async function capture(app: App, url: string, env: unknown, ctx: FetchContext): Promise<Replay> {
  const res = await app.fetch(new Request(url), env, ctx);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const kept = ([name]: [string, string]): boolean =>
    name !== 'content-length' && name !== 'x-edge-cache';
  const headers = [...res.headers].filter(kept);
  // In the isolate, a body sent with encodeBody "manual" reads as the bytes it sends.
  const brRes = await app.fetch(
    new Request(url, { headers: { 'Accept-Encoding': 'br' } }),
    env,
    ctx,
  );
  const br = new Uint8Array(await brRes.arrayBuffer());
  const brHeaders = [...brRes.headers].filter(kept);
  const gzip = new Uint8Array(
    await new Response(
      new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip')),
    ).arrayBuffer(),
  );
  return {
    status: res.status,
    headers,
    text: new TextDecoder().decode(bytes),
    bytes,
    gzip,
    br,
    brHeaders,
  };
}

/** What a Worker without a build step would do: build the feed from data on every request. */
function renderNaiveRss({ title, home, items }: NaiveData): Response {
  const feed = new Feed({
    title,
    id: home,
    link: home,
    copyright: '',
    generator: false,
    updated: new Date(items[0]?.publishedAt ?? 0),
  });
  for (const item of items) {
    feed.addItem({
      title: item.title,
      id: item.id,
      link: item.url,
      date: new Date(item.publishedAt),
      description: item.summary,
      content: item.contentHtml,
    });
  }
  return new Response(feed.rss2(), {
    headers: { 'Content-Type': 'application/rss+xml; charset=utf-8' },
  });
}
