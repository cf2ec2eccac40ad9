import { describe, expect, it } from 'vitest';
import {
  type BodyKind,
  CONTENT_TYPES,
  filterKeptOn304,
  listSharedFields,
  versionFields,
} from '../../../src/http/headers.ts';
import type { AnySite } from '../../../src/site/lookup.ts';

const CSP = "default-src 'none'; style-src 'sha256-x'";
const site = { contentSecurityPolicy: CSP } as AnySite;
const names = (fields: [string, string][]): string[] => fields.map(([name]) => name);

describe('versionFields', () => {
  it('gives the media type, the ETag, Last-Modified as an HTTP date and the Link', () => {
    const fields = versionFields({
      type: 'atom',
      etag: '"t"',
      lastModified: Date.parse('2023-09-25T00:00:00.500Z'),
      link: '<https://hub.example/>; rel="hub"',
    });
    expect(fields).toEqual([
      ['Content-Type', 'application/atom+xml; charset=utf-8'],
      ['ETag', '"t"'],
      ['Last-Modified', 'Mon, 25 Sep 2023 00:00:00 GMT'],
      ['Link', '<https://hub.example/>; rel="hub"'],
    ]);
  });

  it('leaves out Last-Modified when the body reflects no dated item, and Link when there is none', () => {
    expect(versionFields({ type: 'json', etag: '"q1"', lastModified: 0 })).toEqual([
      ['Content-Type', CONTENT_TYPES.json],
      ['ETag', '"q1"'],
    ]);
  });
});

describe('listSharedFields', () => {
  it.each([
    [
      'rss',
      [
        'Vary',
        'X-Content-Type-Options',
        'Access-Control-Allow-Origin',
        'Access-Control-Expose-Headers',
        'X-Edge-Cache',
      ],
    ],
    [
      'atom',
      [
        'Vary',
        'X-Content-Type-Options',
        'Access-Control-Allow-Origin',
        'Access-Control-Expose-Headers',
        'X-Edge-Cache',
      ],
    ],
    [
      'json',
      [
        'Vary',
        'X-Content-Type-Options',
        'Access-Control-Allow-Origin',
        'Access-Control-Expose-Headers',
        'X-Edge-Cache',
      ],
    ],
    ['html', ['Vary', 'X-Content-Type-Options', 'Content-Security-Policy', 'X-Edge-Cache']],
    ['text', ['Vary', 'X-Content-Type-Options', 'X-Edge-Cache']],
  ] as [BodyKind, string[]][])('gives a %s body its fields', (kind, expected) => {
    expect(names(listSharedFields(kind, true, 'BYPASS', site))).toEqual(expected);
  });

  it('lets scripts read feeds, JSON and their validators from any origin', () => {
    const fields = new Headers(listSharedFields('json', true, 'MISS', site));
    expect(fields.get('access-control-allow-origin')).toBe('*');
    expect(fields.get('access-control-expose-headers')).toBe('ETag, Last-Modified, X-Edge-Cache');
  });

  it('puts the site policy on HTML pages and nosniff everywhere', () => {
    expect(
      new Headers(listSharedFields('html', true, 'BYPASS', site)).get('content-security-policy'),
    ).toBe(CSP);
    for (const kind of ['rss', 'atom', 'json', 'html', 'text', 'none'] as const) {
      expect(
        new Headers(listSharedFields(kind, kind !== 'none', 'BYPASS', site)).get(
          'x-content-type-options',
        ),
        kind,
      ).toBe('nosniff');
    }
  });

  it('varies on Accept-Encoding only when there is a body', () => {
    expect(names(listSharedFields('none', false, 'BYPASS', site))).toEqual([
      'X-Content-Type-Options',
      'X-Edge-Cache',
    ]);
    expect(new Headers(listSharedFields('html', true, 'BYPASS', site)).get('vary')).toBe(
      'Accept-Encoding',
    );
  });

  it('says what the edge cache did', () => {
    for (const edge of ['HIT', 'MISS', 'BYPASS'] as const)
      expect(new Headers(listSharedFields('rss', true, edge, site)).get('x-edge-cache')).toBe(edge);
  });
});

describe('fields kept on a 304 (RFC 9110 §15.4.5)', () => {
  it('keeps the validators, the caching fields, CORS, nosniff and X-Edge-Cache, and drops the rest', () => {
    const ok: [string, string][] = [
      ['Content-Type', CONTENT_TYPES.rss],
      ['ETag', '"t"'],
      ['Last-Modified', 'Mon, 25 Sep 2023 00:00:00 GMT'],
      ['Link', '<https://hub.example/>; rel="hub"'],
      ...listSharedFields('rss', true, 'BYPASS', site),
      ['Cache-Control', 'public, max-age=300'],
      ['Content-Security-Policy', CSP],
      ['Content-Length', '12'],
      ['Date', 'Mon, 25 Sep 2023 00:00:00 GMT'],
    ];
    expect(names(filterKeptOn304(ok))).toEqual([
      'ETag',
      'Last-Modified',
      'Vary',
      'X-Content-Type-Options',
      'Access-Control-Allow-Origin',
      'Access-Control-Expose-Headers',
      'X-Edge-Cache',
      'Cache-Control',
      'Date',
    ]);
  });

  it('compares names without regard to case', () => {
    expect(
      names(
        filterKeptOn304([
          ['ETAG', '"t"'],
          ['access-control-max-age', '60'],
          ['CONTENT-TYPE', CONTENT_TYPES.html],
          ['cache-control', 'no-store'],
        ]),
      ),
    ).toEqual(['ETAG', 'access-control-max-age', 'cache-control']);
  });
});
