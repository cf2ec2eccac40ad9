// The Cache API's backing service for a Worker on plain workerd (its `cacheApiOutbound`), run
// outside workerd so that its work is not counted as the Worker's CPU. In "miss" mode it
// behaves like workers.dev, where the Cache API stores nothing: every match misses and every
// put is drained and dropped. In "hit" mode it keeps what was put and answers matches with it,
// like the edge cache of a custom domain.
// Protocol (workerd): match is GET, answered with `CF-Cache-Status: HIT` and the stored
// response or `CF-Cache-Status: MISS`; put is PUT with the serialised response as its body,
// answered 204.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Whether matches find what puts stored. */
export type CacheMode = 'miss' | 'hit';

/** A running cache service. */
export interface CacheServer {
  port: number;
  mode: CacheMode;
  /** Requests received so far (match, put and delete alike). */
  readonly requests: number;
  /** Forgets every stored response. */
  clear(): void;
  close(): Promise<void>;
}

interface Stored {
  status: number;
  headers: [string, string][];
  body: Buffer;
}

/** Starts the cache service on a free loopback port, in "miss" mode. */
export async function startCacheServer(): Promise<CacheServer> {
  const store = new Map<string, Stored>();
  const state: { mode: CacheMode; requests: number } = { mode: 'miss', requests: 0 };
  const server: Server = createServer(async (req, res) => {
    state.requests++;
    const key = `${req.headers.host ?? ''}${req.url ?? ''}`;
    if (req.method === 'PUT') {
      const body = await readBody(req);
      if (state.mode === 'hit') {
        const stored = parseSerializedResponse(body);
        if (stored) store.set(key, stored);
      }
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'PURGE') {
      res.writeHead(store.delete(key) ? 200 : 404).end();
      return;
    }
    const hit = state.mode === 'hit' ? store.get(key) : undefined;
    if (!hit) {
      res.writeHead(504, { 'CF-Cache-Status': 'MISS' }).end();
      return;
    }
    res.writeHead(hit.status, [
      ...hit.headers.flat(),
      'CF-Cache-Status',
      'HIT',
      'Content-Length',
      String(hit.body.byteLength),
    ]);
    res.end(hit.body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get mode() {
      return state.mode;
    },
    set mode(mode: CacheMode) {
      state.mode = mode;
    },
    get requests() {
      return state.requests;
    },
    clear: () => store.clear(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses `HTTP/1.1 200 OK\r\n<headers>\r\n\r\n<body>`, with a plain or chunked body. */
function parseSerializedResponse(data: Buffer): Stored | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number((lines[0] ?? '').split(' ')[1]);
  const headers: [string, string][] = [];
  let chunked = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding') chunked = /chunked/i.test(value);
    else if (lower !== 'content-length' && lower !== 'connection') headers.push([name, value]);
  }
  let body = data.subarray(end + 4);
  if (chunked) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = body.indexOf('\r\n', at);
      if (eol < 0) break;
      const size = Number.parseInt(body.subarray(at, eol).toString('latin1'), 16);
      if (!(size > 0)) break;
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return Number.isInteger(status) && status >= 200
    ? { status, headers, body: Buffer.from(body) }
    : undefined;
}
