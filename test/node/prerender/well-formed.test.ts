import { describe, expect, it } from 'vitest';
import { assertWellFormed } from '../../../src/prerender/well-formed.ts';

describe('assertWellFormed', () => {
  it('accepts well-formed documents, and items that use the feeds’ prefixes on their own', () => {
    expect(() =>
      assertWellFormed(
        '<rss version="2.0"><channel><title>a &amp; b</title></channel></rss>',
        'rss',
      ),
    ).not.toThrow();
    expect(() =>
      assertWellFormed(
        '<item><title>x</title><dc:creator>Ann</dc:creator><content:encoded><![CDATA[<p>x</p>]]></content:encoded></item>',
        'rss',
        true,
      ),
    ).not.toThrow();
    expect(() =>
      assertWellFormed(
        '<entry><title type="text">x</title><atom:link href="https://x.example/"/></entry>',
        'atom',
        true,
      ),
    ).not.toThrow();
  });

  it.each([
    ['an undefined entity', '<title>&nbsp;</title>'],
    ['a control character', '<title>a\u0001b</title>'],
    ['"]]>" in text', '<title>a ]]> b</title>'],
    ['a duplicate attribute', '<link href="a" href="b"/>'],
    ['an unbound prefix', '<x:title>a</x:title>'],
    ['an unclosed element', '<title>a'],
  ])('refuses %s, naming the format', (_, fragment) => {
    expect(() => assertWellFormed(fragment, 'atom', true)).toThrow(
      /^internal error: atom output is not well-formed XML: /,
    );
  });
});
