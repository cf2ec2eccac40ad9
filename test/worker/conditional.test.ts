import { describe, expect, it } from 'vitest';
import { fetchWorker, isWorkerAsset } from './support.ts';

/** Answered by the Worker: full conditional GET, with Last-Modified. */
const ROUTES = [
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  '/',
  '/authors/the-dispatch-newsroom/',
  '/authors/the-dispatch-newsroom/rss.xml',
  '/authors/the-dispatch-newsroom/atom.xml',
  '/authors/the-dispatch-newsroom/feed.json',
];
/** Settled documents, answered by the static assets (docs/static-assets.md §4). */
const ASSET_ROUTES = ['/articles/moscow-rebuffs-armenian-pms-claims-of-betrayal'];

it('routes each path to the tier these tests expect', async () => {
  for (const path of ROUTES) expect(await isWorkerAsset(path), path).toBe(false);
  for (const path of ASSET_ROUTES) expect(await isWorkerAsset(path), path).toBe(true);
});

async function validatorsOf(path: string): Promise<{ etag: string; lastModified: string }> {
  const res = await fetchWorker(path);
  await res.arrayBuffer();
  return {
    etag: res.headers.get('etag') ?? '',
    lastModified: res.headers.get('last-modified') ?? '',
  };
}

describe.each(ROUTES)('conditional GET on %s', (path) => {
  it('sends a strong ETag and Last-Modified on 200', async () => {
    const res = await fetchWorker(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get('last-modified')).toBe('Mon, 25 Sep 2023 00:00:00 GMT');
  });

  it('answers 304 with no body and the caching headers for a matching If-None-Match', async () => {
    const { etag, lastModified } = await validatorsOf(path);
    const full = await fetchWorker(path);
    const res = await fetchWorker(path, { headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('last-modified')).toBe(lastModified);
    expect(res.headers.get('cache-control')).toBe(full.headers.get('cache-control'));
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('content-type')).toBeNull();
  });

  it('uses the weak comparison: W/ prefixed tags match', async () => {
    const { etag } = await validatorsOf(path);
    const res = await fetchWorker(path, { headers: { 'If-None-Match': `W/${etag}` } });
    expect(res.status).toBe(304);
  });

  it('matches a tag anywhere in a comma-separated list', async () => {
    const { etag } = await validatorsOf(path);
    const res = await fetchWorker(path, {
      headers: { 'If-None-Match': `"nope", W/"other" ,${etag}, ` },
    });
    expect(res.status).toBe(304);
  });

  it('answers 304 to If-None-Match: *', async () => {
    const res = await fetchWorker(path, { headers: { 'If-None-Match': '*' } });
    expect(res.status).toBe(304);
  });

  it('answers 200 with the body when no tag matches', async () => {
    const res = await fetchWorker(path, { headers: { 'If-None-Match': '"stale", W/"older"' } });
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBeGreaterThan(100);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified', async () => {
    for (const since of [
      'Mon, 25 Sep 2023 00:00:00 GMT',
      'Tue, 26 Sep 2023 00:00:00 GMT',
      'Monday, 25-Sep-23 00:00:00 GMT',
      'Mon Sep 25 00:00:00 2023',
    ]) {
      const res = await fetchWorker(path, { headers: { 'If-Modified-Since': since } });
      expect(res.status, since).toBe(304);
    }
  });

  it('answers 200 to If-Modified-Since before Last-Modified', async () => {
    const res = await fetchWorker(path, {
      headers: { 'If-Modified-Since': 'Sun, 24 Sep 2023 23:59:59 GMT' },
    });
    expect(res.status).toBe(200);
  });

  it('ignores If-Modified-Since when If-None-Match is present', async () => {
    const res = await fetchWorker(path, {
      headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': 'Tue, 26 Sep 2023 00:00:00 GMT' },
    });
    expect(res.status).toBe(200);
  });

  it.each(['garbage', '"unterminated', 'W/', 'W/"a" "b"', '\u0000', 'a'.repeat(5000)])(
    'ignores a malformed If-None-Match %#',
    async (value) => {
      const headers = new Headers();
      try {
        headers.set('If-None-Match', value);
      } catch {
        return; // not even sendable as a header value
      }
      const res = await fetchWorker(path, { headers });
      expect(res.status).toBe(200);
    },
  );

  it.each(['yesterday', '2023-09-26', 'Mon, 99 Sep 2023 00:00:00 GMT', ''])(
    'ignores a malformed If-Modified-Since %#',
    async (value) => {
      const res = await fetchWorker(path, { headers: { 'If-Modified-Since': value } });
      expect(res.status).toBe(200);
    },
  );

  it('ignores If-Modified-Since in the future', async () => {
    const res = await fetchWorker(path, {
      headers: { 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' },
    });
    expect(res.status).toBe(200);
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const get = await fetchWorker(path);
    const head = await fetchWorker(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const name of ['content-type', 'etag', 'last-modified', 'cache-control', 'vary']) {
      expect(head.headers.get(name), name).toBe(get.headers.get(name));
    }
  });

  it('answers a conditional HEAD with 304', async () => {
    const { etag } = await validatorsOf(path);
    const res = await fetchWorker(path, { method: 'HEAD', headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
  });
});

describe.each(ASSET_ROUTES)('conditional GET on the settled %s (static assets)', (path) => {
  /** The fields a 200 and its 304 share: the asset tier's own and those of `_headers`. */
  const SHARED = [
    'etag',
    'cache-control',
    'content-type',
    'content-security-policy',
    'x-content-type-options',
  ];

  it('sends a strong ETag of 32 hex digits, and no Last-Modified', async () => {
    const res = await fetchWorker(path);
    expect(res.status).toBe(200);
    // Locally a hash of the file's path and mtime, in production of its bytes: only the form is fixed.
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get('last-modified')).toBeNull();
    expect(res.headers.get('x-edge-cache')).toBeNull();
  });

  it('answers 304 with no body and the fields of the 200 to its own ETag, strong or W/', async () => {
    const full = await fetchWorker(path);
    await full.arrayBuffer();
    const etag = full.headers.get('etag') ?? '';
    for (const tag of [etag, `W/${etag}`]) {
      const res = await fetchWorker(path, { headers: { 'If-None-Match': tag } });
      expect(res.status, tag).toBe(304);
      expect(await res.text()).toBe('');
      for (const name of SHARED) expect(res.headers.get(name), name).toBe(full.headers.get(name));
    }
  });

  it('compares only a single tag: a list holding its ETag, and *, get 200', async () => {
    const { etag } = await validatorsOf(path);
    for (const value of [`"nope", ${etag}`, `${etag}, "nope"`, '*', '"stale", W/"older"']) {
      const res = await fetchWorker(path, { headers: { 'If-None-Match': value } });
      expect(res.status, value).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(100);
    }
  });

  it('ignores If-Modified-Since, whatever the date', async () => {
    for (const since of [
      'Mon, 25 Sep 2023 00:00:00 GMT',
      'Fri, 01 Jan 2100 00:00:00 GMT',
      'Thu, 01 Jan 1970 00:00:00 GMT',
      'yesterday',
    ]) {
      const res = await fetchWorker(path, { headers: { 'If-Modified-Since': since } });
      expect(res.status, since).toBe(200);
    }
  });

  it.each(['garbage', '"unterminated', 'W/', 'W/"a" "b"', 'a'.repeat(5000)])(
    'ignores a malformed If-None-Match %#',
    async (value) => {
      const res = await fetchWorker(path, { headers: { 'If-None-Match': value } });
      expect(res.status).toBe(200);
    },
  );

  it('answers HEAD with the GET fields and no body, and a conditional HEAD with 304', async () => {
    const get = await fetchWorker(path);
    await get.arrayBuffer();
    const head = await fetchWorker(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const name of SHARED) expect(head.headers.get(name), name).toBe(get.headers.get(name));
    const etag = get.headers.get('etag') ?? '';
    const res = await fetchWorker(path, { method: 'HEAD', headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
  });
});

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])(
    'refuses %s with 405 and an Allow header',
    async (method) => {
      const res = await fetchWorker('/rss.xml', { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    },
  );

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])(
    'leaves %s on a settled page to the static assets: 405 without Allow or a body',
    async (method) => {
      const path = ASSET_ROUTES[0] ?? '';
      const res = await fetchWorker(path, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe('');
    },
  );

  it('answers a CORS preflight', async () => {
    const res = await fetchWorker('/feed.json', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'if-none-match',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('GET');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'if-none-match',
    );
  });
});

describe('response headers', () => {
  it.each(['/rss.xml', '/atom.xml', '/feed.json'])(
    'lets scripts in browsers read %s',
    async (path) => {
      const res = await fetchWorker(path);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
    },
  );

  it('sets feed lifetimes in minutes and page lifetimes longer', async () => {
    expect((await fetchWorker('/rss.xml')).headers.get('cache-control')).toBe(
      'public, max-age=300, s-maxage=600, stale-while-revalidate=60',
    );
    expect((await fetchWorker('/')).headers.get('cache-control')).toBe(
      'public, max-age=3600, s-maxage=86400, stale-while-revalidate=60',
    );
  });

  it.each(['/rss.xml', '/', '/nope', '/missing.json'])('sends nosniff on %s', async (path) => {
    expect((await fetchWorker(path)).headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends a restrictive Content-Security-Policy on HTML pages', async () => {
    const csp = (await fetchWorker('/')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
  });
});
