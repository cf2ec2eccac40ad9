import { describe, expect, it } from 'vitest';
import {
  answerConditional,
  isNotModified,
  type Validators,
} from '../../../src/http/conditional.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const CHANGED = Date.parse('2023-09-25T00:00:00.750Z');
const VALIDATORS: Validators = { etag: '"abc"', lastModified: CHANGED };

const request = (headers: Record<string, string>, method = 'GET'): Request =>
  new Request('https://news.example/rss.xml', { method, headers });
const notModified = (
  headers: Record<string, string>,
  validators: Validators = VALIDATORS,
): boolean => isNotModified(new Headers(headers), validators, NOW);

describe('isNotModified (RFC 9110 §13.2.2)', () => {
  it('is false without validators in the request', () => {
    expect(notModified({})).toBe(false);
  });

  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    [' "x" ,, W/"abc" , ', true],
    ['*', true],
    ['"abcd"', false],
    ['"ab"', false],
    ['"x", W/"y"', false],
  ])('If-None-Match %j → %s, by the weak comparison', (value, expected) => {
    expect(notModified({ 'If-None-Match': value })).toBe(expected);
  });

  it('compares a weak own tag by its opaque part too', () => {
    expect(notModified({ 'If-None-Match': '"abc"' }, { etag: 'W/"abc"', lastModified: 0 })).toBe(
      true,
    );
  });

  it('ignores If-Modified-Since when If-None-Match is present, matching or not', () => {
    expect(
      notModified({
        'If-None-Match': '"stale"',
        'If-Modified-Since': 'Tue, 26 Sep 2023 00:00:00 GMT',
      }),
    ).toBe(false);
  });

  it.each(['garbage', '"unterminated', 'W/', '"a" "b"', '"a"b', ''])(
    'treats a malformed If-None-Match %j as absent, so If-Modified-Since decides',
    (value) => {
      expect(notModified({ 'If-None-Match': value })).toBe(false);
      expect(
        notModified({
          'If-None-Match': value,
          'If-Modified-Since': 'Mon, 25 Sep 2023 00:00:00 GMT',
        }),
      ).toBe(true);
    },
  );

  it('compares If-Modified-Since at whole seconds (HTTP dates have no fraction)', () => {
    expect(notModified({ 'If-Modified-Since': 'Mon, 25 Sep 2023 00:00:00 GMT' })).toBe(true);
    expect(notModified({ 'If-Modified-Since': 'Sun, 24 Sep 2023 23:59:59 GMT' })).toBe(false);
  });

  it('reads the obsolete date forms (§5.6.7)', () => {
    expect(notModified({ 'If-Modified-Since': 'Monday, 25-Sep-23 00:00:00 GMT' })).toBe(true);
    expect(notModified({ 'If-Modified-Since': 'Mon Sep 25 00:00:00 2023' })).toBe(true);
  });

  it('ignores an invalid date, a date later than now (§13.1.3) and a representation without a date', () => {
    expect(notModified({ 'If-Modified-Since': 'yesterday' })).toBe(false);
    expect(notModified({ 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' })).toBe(false);
    expect(
      notModified(
        { 'If-Modified-Since': 'Mon, 25 Sep 2023 00:00:00 GMT' },
        { etag: '"abc"', lastModified: 0 },
      ),
    ).toBe(false);
  });
});

describe('answerConditional', () => {
  const body = new TextEncoder().encode('<rss/>');
  const ok: [string, string][] = [
    ['Content-Type', 'application/rss+xml; charset=utf-8'],
    ['ETag', '"abc"'],
    ['Cache-Control', 'public, max-age=300'],
    ['Access-Control-Allow-Origin', '*'],
    ['Link', '<https://hub.example/>; rel="hub"'],
  ];

  it('answers 200 with the body and the fields', async () => {
    const res = answerConditional(request({}), VALIDATORS, NOW, body, { ok });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<rss/>');
    expect([...res.headers]).toEqual([...new Headers(ok)]);
  });

  it('answers HEAD with the same fields and no body', async () => {
    const res = answerConditional(request({}, 'HEAD'), VALIDATORS, NOW, body, { ok });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
    expect(res.headers.get('link')).toBe(ok[4]?.[1]);
  });

  it('answers 304 with no body and only the fields a 304 keeps (§15.4.5), unless told which', async () => {
    const res = answerConditional(request({ 'If-None-Match': '"abc"' }), VALIDATORS, NOW, body, {
      ok,
    });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
    expect([...res.headers].map(([name]) => name)).toEqual([
      'access-control-allow-origin',
      'cache-control',
      'etag',
    ]);
    const told = answerConditional(
      request({ 'If-None-Match': '*' }, 'HEAD'),
      VALIDATORS,
      NOW,
      body,
      { ok, notModified: [['ETag', '"abc"']] },
    );
    expect(told.status).toBe(304);
    expect([...told.headers]).toEqual([['etag', '"abc"']]);
  });

  it('keeps a given status text on the 200', () => {
    expect(
      answerConditional(request({}), VALIDATORS, NOW, body, { ok }, { statusText: 'OK' })
        .statusText,
    ).toBe('OK');
  });
});
