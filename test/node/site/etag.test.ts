import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEtag } from '../../../src/site/etag.ts';

// RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; a strong tag has no W/.
const STRONG_TAG = /^"[\x21\x23-\x7e]+"$/;

describe('formatEtag', () => {
  it('is the first 27 base64url characters of the digest, quoted, as node:crypto writes them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
        const digest = createHash('sha256').update(body).digest();
        expect(formatEtag(digest)).toBe(`"${digest.toString('base64url').slice(0, 27)}"`);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same tag for the digest as crypto.subtle returns it (an ArrayBuffer)', async () => {
    const body = new TextEncoder().encode(
      '{"version":"https://jsonfeed.org/version/1.1","items":[]}',
    );
    const subtle = await crypto.subtle.digest('SHA-256', body);
    expect(formatEtag(subtle)).toBe(formatEtag(createHash('sha256').update(body).digest()));
  });

  it('marks query results with a q, so that they never share a tag with a pre-rendered body', () => {
    const digest = createHash('sha256').update('x').digest();
    expect(formatEtag(digest, 'query')).toBe(`"q${formatEtag(digest).slice(1)}`);
    expect(formatEtag(digest, 'query')).not.toBe(formatEtag(digest));
  });

  it('always makes a strong entity tag', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom('prebuilt', 'query') as fc.Arbitrary<'prebuilt' | 'query'>,
        (digest, origin) => {
          expect(formatEtag(digest, origin)).toMatch(STRONG_TAG);
        },
      ),
    );
  });
});
