import { describe, expect, it } from 'vitest';
import {
  CODINGS,
  codedEtag,
  negotiateCoding,
  readAcceptEncoding,
  stripCoding,
} from '../../../src/http/content-coding.ts';

describe('negotiateCoding (RFC 9110 §12.5.3)', () => {
  it.each([
    // The examples.
    ['br;q=0.5, gzip', 'gzip'],
    ['gzip;q=0', 'identity'],
    ['identity', 'identity'],
    [null, 'identity'],
    // Browsers, feed readers, libraries.
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, br', 'br'],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', 'br'],
    ['gzip;q=1.0, identity; q=0.5, *;q=0', 'gzip'],
    ['', 'identity'],
    // Case, x-gzip, spacing.
    ['GZIP', 'gzip'],
    ['Br', 'br'],
    ['x-gzip', 'gzip'],
    ['  gzip ;  q=0.9 , br ; q=0.3 ', 'gzip'],
    // `*` stands for what is not named.
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['*;q=0', 'identity'],
    ['br;q=0, gzip;q=0, *;q=0.2', 'identity'],
    ['identity;q=0.5, gzip;q=0.4', 'identity'],
    // Nothing acceptable, identity refused: the plain bytes anyway (no 406).
    ['identity;q=0', 'identity'],
    ['zstd, identity;q=0', 'identity'],
    ['gzip;q=0, br;q=0, identity;q=0', 'identity'],
    // Elements that do not parse are ignored.
    ['br;q=2, gzip', 'gzip'],
    ['br;q=0.1234, gzip;q=0.5', 'gzip'],
    ['br;level=1, gzip;q=0.5', 'gzip'],
    ['br q=1, gzip;q=0.1', 'gzip'],
    ['deflate', 'identity'],
    ['gzip;q=0.001', 'gzip'],
  ])('Accept-Encoding %j → %s', (value, expected) => {
    expect(negotiateCoding(value, CODINGS)).toBe(expected);
  });

  it('prefers br over gzip, and both over identity, at equal q', () => {
    expect(negotiateCoding('gzip;q=0.7, br;q=0.7, identity;q=0.7', CODINGS)).toBe('br');
    expect(negotiateCoding('gzip;q=0.7, identity;q=0.7', CODINGS)).toBe('gzip');
  });

  it('chooses only among the codings available', () => {
    expect(negotiateCoding('br', ['gzip', 'identity'])).toBe('identity');
    expect(negotiateCoding('br, gzip;q=0.5', ['gzip', 'identity'])).toBe('gzip');
  });
});

describe('readAcceptEncoding', () => {
  it("reads the reader's field from request.cf behind Cloudflare, where the Worker's own copy is the edge's", () => {
    const behind = new Request('https://news.example/rss.xml', {
      headers: { 'Accept-Encoding': 'br, gzip' },
    });
    Object.defineProperty(behind, 'cf', { value: { clientAcceptEncoding: 'gzip' } });
    expect(readAcceptEncoding(behind)).toBe('gzip');
    // wrangler dev passes an absent field as "".
    const absent = new Request('https://news.example/rss.xml', {
      headers: { 'Accept-Encoding': 'br, gzip' },
    });
    Object.defineProperty(absent, 'cf', { value: { clientAcceptEncoding: '' } });
    expect(readAcceptEncoding(absent)).toBeNull();
  });

  it('reads the field itself elsewhere', () => {
    const plain = new Request('https://news.example/rss.xml', {
      headers: { 'Accept-Encoding': 'gzip;q=0' },
    });
    expect(readAcceptEncoding(plain)).toBe('gzip;q=0');
    expect(readAcceptEncoding(new Request('https://news.example/'))).toBeNull();
  });
});

describe('ETags of codings', () => {
  it('derives one tag per coding from the identity tag, and strips it back to the body part', () => {
    const etag = '"K3xF0Q-_abcdefghijklmnopqrs"';
    expect(codedEtag(etag, 'identity')).toBe(etag);
    expect(codedEtag(etag, 'br')).toBe('"K3xF0Q-_abcdefghijklmnopqrs.br"');
    expect(codedEtag(etag, 'gzip')).toBe('"K3xF0Q-_abcdefghijklmnopqrs.gz"');
    expect(codedEtag(etag, 'gzip', true)).toBe('W/"K3xF0Q-_abcdefghijklmnopqrs.gz"');
    for (const coding of CODINGS)
      expect(stripCoding(codedEtag(etag, coding).slice(1, -1))).toBe(etag.slice(1, -1));
    // Base64url tags may end in -gz or _br: only the dotted suffix is a coding's.
    expect(stripCoding('abc-gz')).toBe('abc-gz');
    expect(stripCoding('abc_br')).toBe('abc_br');
  });
});
