// HTTP fuzzing inside workerd: odd paths, methods, validators and query strings never give a
// 5xx or leak a stack, and every answer has a status and a content type from the expected set.
// The seed is fixed so that CI is repeatable; a failure prints fast-check's seed and path, and
// pasting them into FUZZ_SEED and FUZZ_PATH replays exactly that case (workerd has no process.env).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { site as pagedSite } from '../generated/paged.js';
import { fixtureAssets, serveFixture } from './fixture-app.ts';
import { type AssetsBinding, bindingOf, fetchWorker } from './support.ts';

/** Fixed, so that a CI failure replays exactly; change it to explore further. */
const FUZZ_SEED = 20261127;
/** A failing case's path from fast-check's report, to replay only that case; undefined otherwise. */
const FUZZ_PATH: string | undefined = undefined;
const RUNS = 250;
const SLUG = 'moscow-rebuffs-armenian-pms-claims-of-betrayal';
const KNOWN_PATHS = [
  '/',
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  `/articles/${SLUG}`,
  `/articles/${SLUG}/`,
  '/feed',
  '/rss',
  '/atom',
  '/feed.xml',
  '/index.xml',
  '/index.html',
  '/favicon.ico',
  '/articles/nope',
  '/nope.json',
  '/nope.xml',
];
/** Addresses of the paged fixture (seventeen articles, tags news/cafe/Политика, five per page, archive pages 1 and 2). */
const PAGED_PATHS = [
  '/',
  '/rss.xml',
  '/feed.json',
  '/articles/day-01',
  '/articles/day-12',
  '/archive/1/',
  '/archive/1/rss.xml',
  '/archive/2/atom.xml',
  '/archive/2/feed.json',
  '/archive/3/',
  '/archive/0/rss.xml',
  '/archive/1',
  '/tags/news/',
  '/tags/news',
  '/tags/news/rss.xml',
  '/tags/cafe/atom.xml',
  '/tags/Café/feed.json',
  '/tags/%D0%BF%D0%BE%D0%BB%D0%B8%D1%82%D0%B8%D0%BA%D0%B0/',
  '/tags/%d0%bf%d0%be%d0%bb%d0%b8%d1%82%d0%b8%d0%ba%d0%b0/rss.xml',
  '/tags/Политика/feed.json',
  '/tags/news/archive/1/',
  '/tags/news/archive/1/atom.xml',
  '/tags/news/archive/9/feed.json',
  '/tags/nope/',
  '/tags/__proto__/rss.xml',
  '/articles/__proto__',
  '/archive/constructor/',
];

const EXPECTED_STATUSES = new Set([200, 204, 301, 304, 400, 404, 405]);
/** What the static assets answer (docs/static-assets.md §1–§4); their misses go to the Worker. */
const ASSET_STATUSES = new Set([200, 301, 304, 307, 405]);
const FEED_TYPES = [
  'application/rss+xml; charset=utf-8',
  'application/atom+xml; charset=utf-8',
  'application/feed+json; charset=utf-8',
];
const HTML = 'text/html; charset=utf-8';
/** A V8/workerd stack frame (`at fn (file:1:2)`) or a thrown error's name, as a leak would show. */
const STACK =
  /^\s*at .+:\d+:\d+\)?$|\bat (?:async )?[\w.$<>]+ \(|\b(?:Type|Range|Reference|Syntax)?Error: /m;

const PATH_PIECES = [
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '%2F',
  '%2f',
  '%5C',
  '\\',
  '//',
  '%00',
  '%0d%0a',
  '%zz',
  '%',
  '%E0%A4%A',
  '%C0%AF',
  '%ff',
  '%u002e',
  ';a=b',
  '~',
  '@',
  ':',
  '*',
  '$',
  '!',
  "'",
  '(',
  ')',
  ',',
  '+',
  '=',
  '&',
  '[',
  ']',
  '|',
  '^',
  '{',
  '}',
  '`',
  '"',
  '<',
  '>',
  'é',
  '日本',
  '🦊',
  '\u202E',
  ' ',
  '\t',
  'rss.xml',
  'atom.xml',
  'feed.json',
  'articles',
  'archive',
  'tags',
  'news',
  '1',
  '0',
  '-1',
  '99999999999999999999',
  SLUG,
  'index.html',
  'A',
  'x'.repeat(300),
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
];
const segment = fc.oneof(
  { arbitrary: fc.constantFrom(...PATH_PIECES), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 12 }), weight: 1 },
);
const randomPath = fc
  .array(
    fc.array(segment, { maxLength: 4 }).map((parts) => parts.join('')),
    { minLength: 0, maxLength: 6 },
  )
  .map((segments) => `/${segments.join('/')}`);
const longPath = fc
  .tuple(
    fc.constantFrom('/', '/articles/', '/rss.xml/'),
    fc.constantFrom('a', '%2F', '../', 'é', '%zz'),
    fc.integer({ min: 500, max: 20_000 }),
  )
  .map(([prefix, unit, n]) => prefix + unit.repeat(n));
const mutatedKnown = fc
  .tuple(
    fc.constantFrom(...KNOWN_PATHS, ...PAGED_PATHS),
    fc.constantFrom(
      '',
      '/',
      '//',
      '/..',
      '/../rss.xml',
      '%2F',
      '%00',
      '.',
      '%zz',
      '?',
      '#x',
      ';x',
      '\\',
      '.json',
      '.xml',
    ),
  )
  .map(([path, suffix]) => path + suffix);
const path = fc.oneof(
  { arbitrary: fc.constantFrom(...KNOWN_PATHS, ...PAGED_PATHS), weight: 2 },
  { arbitrary: mutatedKnown, weight: 3 },
  { arbitrary: randomPath, weight: 3 },
  { arbitrary: longPath, weight: 1 },
);

const QUERY_NAMES = [
  'limit',
  'since',
  'tag',
  'page',
  'before',
  'after',
  'format',
  'utm_source',
  'fbclid',
  'q',
  'a',
  '',
  '%zz',
  'limit[]',
  'LIMIT',
  '__proto__',
  'constructor',
  'x'.repeat(200),
];
const QUERY_VALUES = [
  '',
  '0',
  '-1',
  '1',
  '5',
  '8',
  '9',
  '20',
  '1e3',
  '0x10',
  ' 1',
  '1 ',
  '+1',
  '000001',
  '9999999999999999999999',
  'NaN',
  'abc',
  '%',
  '%zz',
  '%00',
  '🦊',
  'x'.repeat(10_000),
  '[]',
  '{}',
  'news',
  'Café',
  'cafe',
  'CAFE',
  'Политика',
  '%D0%BF',
  '__proto__',
  '2024-01-05T00:00:00Z',
  '2024-01-05t00:00:00z',
  '2024-02-30T00:00:00Z',
  '2024-01-05T00:00:60Z',
  '2024-01-05T00:00:00+14:00',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z',
  '2024-01-05',
];
const queryPair = fc
  .tuple(
    fc.constantFrom(...QUERY_NAMES),
    fc.oneof(fc.constantFrom(...QUERY_VALUES), fc.string({ maxLength: 20 })),
  )
  .map(([k, v]) => `${k}=${v}`);
const query = fc.oneof(
  fc.constant(''),
  fc.array(queryPair, { minLength: 1, maxLength: 8 }).map((pairs) => `?${pairs.join('&')}`),
  // The same parameter many times over, and very long query strings.
  fc
    .tuple(queryPair, fc.integer({ min: 10, max: 2000 }))
    .map(([pair, n]) => `?${Array.from({ length: n }, () => pair).join('&')}`),
  fc.constantFrom('?', '??', '?&&&', '?=', '?a', '?a=1&a=2&a=3', `?${'&'.repeat(5000)}`),
);

/**
 * Header values a client can send: printable ASCII and tabs. (fetch refuses CR, LF and NUL, and
 * workerd sends Latin-1 above 0x7F as UTF-8 with a warning per request, so those stay out.)
 */
const headerChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09))
  .map((c) => String.fromCharCode(c));
const garbage = fc.string({ unit: headerChar, maxLength: 80 });
const ifNoneMatch = fc.oneof(
  garbage,
  fc.constantFrom(
    '*',
    '"x"',
    'W/"x"',
    'W/',
    '"',
    '""',
    '"a", "b"',
    ',,,',
    ', *',
    '* , "x"',
    'W/"',
    'w/"x"',
    '"x" "y"',
    '"a,b"',
  ),
  fc
    .integer({ min: 100, max: 3000 })
    .map((n) => Array.from({ length: n }, (_, i) => `"tag-${i}"`).join(', ')),
);
const ifModifiedSince = fc.oneof(
  garbage,
  fc.constantFrom(
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'Fri, 31 Dec 9999 23:59:59 GMT',
    'Mon, 25 Sep 2023 00:00:00 GMT',
    'Sunday, 06-Nov-94 08:49:37 GMT',
    'Sun Nov  6 08:49:37 1994',
    'Sun, 06 Nov 1994 08:49:37 PST',
    '0',
    '-1',
    '1e309',
    'Invalid Date',
    'Feb 30 2023',
    'Mon, 32 Jan 2024 25:61:61 GMT',
  ),
  fc
    .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
    .map((d) => d.toUTCString()),
);
const headers = fc.record(
  {
    'if-none-match': ifNoneMatch,
    'if-modified-since': ifModifiedSince,
    accept: fc.oneof(
      fc.constantFrom('*/*', 'application/json', 'text/html', 'application/feed+json'),
      garbage,
    ),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity', '*;q=0'),
  },
  { requiredKeys: [] },
);
const method = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'HEAD'), weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'OPTIONS',
      'POST',
      'PUT',
      'DELETE',
      'PATCH',
      'PROPFIND',
      'get',
      'Get',
      'head',
      'BREW',
      'QUERY',
    ),
    weight: 2,
  },
  { arbitrary: fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,12}$/), weight: 1 },
);

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
}

/** Builds the request, or undefined when fetch itself refuses it (a forbidden method, say). */
function createRequest(origin: string, input: FuzzRequest): Request | undefined {
  try {
    const hasBody = !['GET', 'HEAD'].includes(input.method.toUpperCase());
    return new Request(`${origin}${input.path}${input.query}`, {
      method: input.method,
      headers: input.headers,
      ...(hasBody ? { body: 'x=1' } : {}),
    });
  } catch {
    return undefined;
  }
}

/** What is fuzzed: a fetch that takes a path, and the configured site URL redirects point to. */
interface Target {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Also the origin requests are sent to. */
  siteUrl: string;
  /** The static assets in front of it, to tell which tier answers. */
  assets: AssetsBinding;
}

/** The Worker itself, over the real articles. */
const WORKER: Target = {
  fetch: fetchWorker,
  siteUrl: 'http://127.0.0.1:8787',
  assets: bindingOf('ASSETS'),
};
/** The app over the paged fixture: archives, tag feeds and JSON queries have content there. */
const PAGED: Target = {
  fetch: serveFixture(pagedSite, Date.parse('2026-01-01T00:00:00Z')),
  siteUrl: 'https://news.example',
  assets: fixtureAssets(pagedSite),
};

/** Checks one answer against the rules every answer obeys; returns its status and tier. */
async function checkAnswer(
  target: Target,
  input: FuzzRequest,
): Promise<{ status: number; fromAssets: boolean } | undefined> {
  const request = createRequest(target.siteUrl, input);
  if (!request) return undefined;
  const pathname = new URL(request.url).pathname;
  // The router's own question (test/worker/support.ts routeRequest): which tier answers.
  const fromAssets = await target.assets.unstable_canFetch(
    new Request(request.url, { method: request.method, headers: request.headers }),
  );
  const res = await target.fetch(`${pathname}${new URL(request.url).search}`, {
    // The answer itself, not where a redirect leads (workerd's fetch would follow it).
    redirect: 'manual',
    method: request.method,
    headers: request.headers,
    ...(request.body ? { body: await request.text() } : {}),
  });
  const body = await res.text();
  const type = res.headers.get('content-type');
  const where = `${request.method} ${pathname.slice(0, 200)}${pathname.length > 200 ? '…' : ''} → ${res.status} ${type} (${fromAssets ? 'assets' : 'Worker'})`;
  expect(res.status, where).toBeLessThan(500);
  expect(body, where).not.toMatch(STACK);
  expect(res.headers.get('x-content-type-options'), where).toBe('nosniff');
  if (request.method === 'HEAD' || res.status === 304 || res.status === 204)
    expect(body, where).toBe('');
  if (fromAssets) checkAssetAnswer(target, request, res, body, where);
  else checkWorkerAnswer(target, request, res, body, where);
  return { status: res.status, fromAssets };
}

/** The rules of the static assets' answers (docs/static-assets.md §1–§4); a miss is the Worker's. */
function checkAssetAnswer(
  target: Target,
  request: Request,
  res: Response,
  body: string,
  where: string,
): void {
  expect(ASSET_STATUSES.has(res.status), where).toBe(true);
  // The Worker's own fields, which the asset tier never sends.
  expect(res.headers.get('last-modified'), where).toBeNull();
  expect(res.headers.get('x-edge-cache'), where).toBeNull();
  switch (res.status) {
    case 200:
    case 304:
      expect(['GET', 'HEAD'], where).toContain(request.method);
      expect([...FEED_TYPES, HTML], where).toContain(res.headers.get('content-type'));
      expect(res.headers.get('etag'), where).toMatch(/^"[0-9a-f]{32}"$/);
      break;
    case 301:
    case 307: {
      // `_redirects` (301) and html_handling (307): to the same site, often a relative Location.
      const location = res.headers.get('location') ?? '';
      expect(new URL(location, request.url).href.startsWith(`${target.siteUrl}/`), where).toBe(
        true,
      );
      expect(body, where).toBe('');
      break;
    }
    case 405:
      // Any method but GET and HEAD on a file, OPTIONS included: no Allow, no body.
      expect(['GET', 'HEAD'], where).not.toContain(request.method);
      expect(res.headers.get('allow'), where).toBeNull();
      expect(body, where).toBe('');
      break;
  }
}

/** The rules of the Worker's answers. */
function checkWorkerAnswer(
  target: Target,
  request: Request,
  res: Response,
  body: string,
  where: string,
): void {
  const pathname = new URL(request.url).pathname;
  const type = res.headers.get('content-type');
  expect(EXPECTED_STATUSES.has(res.status), where).toBe(true);
  switch (res.status) {
    case 200:
      expect([...FEED_TYPES, HTML], where).toContain(type);
      expect(res.headers.get('etag'), where).toMatch(/^"[\x21\x23-\x7e]+"$/);
      break;
    case 304:
      expect(res.headers.get('etag'), where).toMatch(/^"[\x21\x23-\x7e]+"$/);
      expect(type, where).toBeNull();
      break;
    case 301:
      // Redirects stay on the configured site; /favicon.ico may point at SITE_ICON anywhere.
      if (pathname === '/favicon.ico')
        expect(res.headers.get('location'), where).toMatch(/^https?:\/\//);
      else expect(res.headers.get('location')?.startsWith(`${target.siteUrl}/`), where).toBe(true);
      break;
    case 204:
      // OPTIONS (CORS preflight), or /favicon.ico on a site without SITE_ICON.
      if (request.method === 'OPTIONS')
        expect(res.headers.get('allow'), where).toBe('GET, HEAD, OPTIONS');
      else expect(pathname, where).toBe('/favicon.ico');
      break;
    case 405:
      expect(type, where).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('allow'), where).toBe('GET, HEAD, OPTIONS');
      expect(['GET', 'HEAD', 'OPTIONS'], where).not.toContain(request.method);
      break;
    case 404:
    case 400: {
      // 404 pages are for people; *.json addresses get JSON, *.xml addresses plain text.
      const decoded = safeDecodeUri(pathname);
      if (decoded.endsWith('.json'))
        expect(type, where).toMatch(/^application\/(?:problem\+)?json/);
      else if (decoded.endsWith('.xml'))
        expect(type, where).toMatch(/^(?:text\/plain|application\/(?:problem\+)?xml)/);
      else if (res.status === 404) expect(type, where).toBe(HTML);
      else
        expect(type, where).toMatch(/^(?:text\/plain|text\/html|application\/(?:problem\+)?json)/);
      if (type?.includes('json') && request.method !== 'HEAD')
        expect(() => JSON.parse(body), where).not.toThrow();
      break;
    }
  }
}

/** decodeURI when the path decodes, else the path as it is (as the router matches it). */
function safeDecodeUri(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** Runs a property with the fixed seed, a bounded number of runs and a time limit. */
async function fuzz(
  target: Target,
  arbitrary: fc.Arbitrary<FuzzRequest>,
  runs = RUNS,
): Promise<Map<number | 'assets', number>> {
  const statuses = new Map<number | 'assets', number>();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      const answer = await checkAnswer(target, input);
      if (answer === undefined) return;
      for (const key of answer.fromAssets ? [answer.status, 'assets' as const] : [answer.status])
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }),
    {
      numRuns: runs,
      seed: FUZZ_SEED,
      ...(FUZZ_PATH === undefined ? {} : { path: FUZZ_PATH }),
      interruptAfterTimeLimit: 40_000,
      markInterruptAsFailure: false,
    },
  );
  return statuses;
}

describe('HTTP fuzzing of the Worker', () => {
  it('answers odd paths with GET and HEAD without a 5xx or a leak', async () => {
    const statuses = await fuzz(
      WORKER,
      fc.record({
        method: fc.constantFrom('GET', 'HEAD'),
        path,
        query: fc.constant(''),
        headers: fc.constant({}),
      }),
    );
    expect(statuses.get(404) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get('assets') ?? 0, 'answers from the static assets').toBeGreaterThan(0);
  }, 60_000);

  it('answers every method: GET and HEAD served, OPTIONS 204, others 405 with Allow', async () => {
    const statuses = await fuzz(
      WORKER,
      fc.record({
        method,
        path: fc.oneof(fc.constantFrom(...KNOWN_PATHS), path),
        query: fc.constant(''),
        headers: fc.constant({}),
      }),
    );
    expect(statuses.get(405) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(204) ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('treats garbage in If-None-Match and If-Modified-Since as absent or as a validator, never as an error', async () => {
    const statuses = await fuzz(
      WORKER,
      fc.record({
        method: fc.constantFrom('GET', 'HEAD'),
        path: fc.constantFrom(...KNOWN_PATHS),
        query: fc.constant(''),
        headers,
      }),
    );
    expect(statuses.get(304) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, 60_000);

  it('answers huge and repeated query parameters with 200, 301, 400 or 404', async () => {
    await fuzz(
      WORKER,
      fc.record({
        method: fc.constantFrom('GET', 'HEAD'),
        path: fc.constantFrom(...KNOWN_PATHS),
        query,
        headers: fc.constant({}),
      }),
    );
  }, 60_000);

  it('survives everything at once', async () => {
    await fuzz(WORKER, fc.record({ method, path, query, headers }));
  }, 60_000);
});

describe('HTTP fuzzing of archives, tag feeds and JSON queries (paged fixture)', () => {
  it('answers odd archive, tag and query addresses without a 5xx or a leak', async () => {
    const statuses = await fuzz(
      PAGED,
      fc.record({
        method: fc.constantFrom('GET', 'HEAD'),
        path: fc.oneof(fc.constantFrom(...PAGED_PATHS), mutatedKnown, path),
        query,
        headers,
      }),
    );
    for (const status of [200, 400, 404])
      expect(statuses.get(status) ?? 0, `some ${status}`).toBeGreaterThan(0);
    expect(statuses.get('assets') ?? 0, 'answers from the static assets').toBeGreaterThan(0);
  }, 60_000);
});
