import { describe, expect, it } from 'vitest';
import { fetchWorker } from './support.ts';

const ROUTES = [
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  '/',
  '/articles/moscow-rebuffs-armenian-pms-claims-of-betrayal',
  '/authors/the-dispatch-newsroom/',
  '/authors/the-dispatch-newsroom/rss.xml',
  '/authors/the-dispatch-newsroom/atom.xml',
  '/authors/the-dispatch-newsroom/feed.json',
];

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

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])(
    'refuses %s with 405 and an Allow header',
    async (method) => {
      const res = await fetchWorker('/rss.xml', { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
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
