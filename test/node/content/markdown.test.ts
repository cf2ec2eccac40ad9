// Markdown without raw HTML skips sanitize-html: SanitizedRenderer (src/content/markdown.ts)
// writes what sanitize-html would make of marked's HTML. These tests hold the two equal, byte for
// byte, on hand-picked constructs and on random documents built from them, so that the shortcut
// can neither let through what the sanitizer would stop nor change a published byte.

import { decodeHTML } from 'entities';
import fc from 'fast-check';
import sanitizeHtml from 'sanitize-html';
import { describe, expect, it } from 'vitest';
import {
  lexBlocks,
  renderBlocks,
  renderPlainText,
  renderThroughSanitizer,
} from '../../../src/content/markdown.ts';

const BASE = 'https://news.example/articles/story';

function tokensOf(markdown: string) {
  return lexBlocks(markdown).map((block) => block.token);
}

/** What renderBlocks must return: marked's HTML through sanitize-html. */
function sanitized(markdown: string): string {
  return renderThroughSanitizer(tokensOf(markdown), BASE).trim();
}

/** What renderPlainText must return: the same HTML with every tag dropped by sanitize-html. */
function sanitizedText(markdown: string): string {
  const text = sanitizeHtml(renderThroughSanitizer(tokensOf(markdown), BASE), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return decodeHTML(text).replace(/\s+/g, ' ').trim();
}

/** Both renderings of `markdown` are what sanitize-html makes of marked's HTML. */
function expectSanitizersOutput(markdown: string): void {
  expect(renderBlocks(tokensOf(markdown), BASE)).toBe(sanitized(markdown));
  expect(renderPlainText(tokensOf(markdown))).toBe(sanitizedText(markdown));
}

/** Markdown constructs, each alone a paragraph or block, and parts of random documents. */
const PIECES = [
  'Plain words, and “curly quotes” in São Paulo — 東京 😀.',
  `Straight "double" and 'single' quotes, a < b > c, & an ampersand.`,
  'References: &amp; &eacute; &#39; &#x26; &#38; &copy &notit; &#0; &#xD800; &lt;b&gt; &bogus; &#1114112;',
  'Escapes: \\* \\_ \\& \\< \\> \\` \\[ \\# \\\\',
  '*em* _em_ **strong** __strong__ ***both*** ~~deleted~~ ~one~',
  '`code & <span> "q" \'s\'` and `` a ` b `` and `&amp;`',
  '[a link](https://example.com/a?x=1&y=2 "A \\"title\\" & more")',
  "[title in single](https://example.com/t 'it&#39;s &amp; <b>')",
  '[relative](/news/today) [parent](../up) [query](?page=2) [fragment](#top) [protocol](//cdn.example/p)',
  '[placeholder](#) [empty]() [spaced](< # >) [spaces](<a b c>)',
  '[script](javascript:alert(1)) [mixed](JaVaScRiPt:alert(1)) [data](data:text/html,x) [vb](vbscript:x)',
  '[mail](mailto:desk@news.example) [phone](tel:+15550100) [ftp](ftp://example.com/f)',
  '[ref link][ref] and [collapsed][] and [shortcut]\n\n[ref]: https://example.com/ref "Ref & title"\n[collapsed]: /c\n[shortcut]: javascript:void(0)',
  '[*emphasised* `code` link](https://example.com/e)',
  '[entity href](https://example.com/?a=1&amp;b=2&copy=3) [percent](https://example.com/%25 %41)',
  '[unicode](https://例え.jp/パス?q=é) [bad host](http://exa mple.com) [bad port](http://example.com:99999/)',
  'Autolinks: https://example.com/path?q=1&r=2, www.example.com/x, <https://example.com/<>, <mailto:a@b.co>, desk@news.example.',
  'Trailing punctuation: (https://example.com/p). and https://example.com/q&amp; end',
  '![an image](https://example.com/i.png) ![with title](/i.jpg "T &amp; \\"q\\"") ![*em* alt](i.gif)',
  '![](https://example.com/no-alt.png) ![script](javascript:alert(1)) ![data](data:image/png;base64,AA) ![mail](mailto:a@b)',
  '[![linked image](/thumb.png)](https://example.com/full)',
  '# Heading one\n\n## Heading *two*\n\n### Three &amp; four\n\nSetext\n======',
  'Line one  \nline two\\\nline three',
  '> A quote\n> with **strong** and [link](/l)\n>\n> > nested',
  '- one\n- two\n  - nested *a*\n  - nested b\n- three',
  '3. three\n4. four',
  '0. zero\n1. one',
  '1) paren\n2) list',
  '- [ ] open task\n- [x] done task\n- plain',
  '* loose\n\n* list',
  '| left | center | right | none |\n| :--- | :----: | ----: | ---- |\n| a & b | `c` | [d](/d) | <e> |\n| f | | g |',
  '| only | header |\n| --- | --- |',
  '```js\nconst a = "<b>" && \'x\';\n```',
  '```c++ extra words\nint main() { return a < b; }\n```',
  '```a"b<c>\nquote in the language\n```',
  '```\n\n```',
  '```js&#32;x\nlanguage with a reference to a space\n```',
  '```&amp;lang\n&\n```',
  '    indented code & <tag>\n    second line',
  '~~~\ntilde fence &amp; &copy;\n~~~',
  '***\n\n---\n\n___',
  'A line with a footnote-like [^1] and [brackets] and ]]> and \\]]>.',
  'Tabs\tand  double  spaces and trailing spaces   ',
  'Emoji 👩‍👩‍👧 and combining é and right-to-left עברית.',
];

describe('markdown without raw HTML, without the sanitizer', () => {
  it.each(PIECES.map((piece) => [piece]))('writes what sanitize-html writes: %j', (markdown) => {
    expectSanitizersOutput(markdown);
  });

  it('writes what sanitize-html writes for random documents of those pieces', () => {
    const document = fc
      .array(
        fc.tuple(
          fc.constantFrom(...PIECES),
          fc.constantFrom('\n\n', '\n', ' ', '', '\n- ', '\n> ', '\n\n    ', '\n| x |\n| - |\n| '),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((parts) => parts.map(([piece, separator]) => piece + separator).join(''));
    fc.assert(fc.property(document, expectSanitizersOutput), { numRuns: 300 });
  });

  it('writes what sanitize-html writes for random text in markdown syntax', () => {
    const syntax = fc
      .array(
        fc.constantFrom(
          ...'ab 1\n*_`~[]()<>!#&;"\'\\|-:=+.@/'.split(''),
          'https://',
          'www.',
          '&amp;',
          '&#39;',
          '](',
          '![',
          '```',
          '  \n',
          '\n\n',
          'é',
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(''));
    fc.assert(fc.property(syntax, expectSanitizersOutput), { numRuns: 1000 });
  });

  it('unwraps links that lead nowhere and drops images that load nothing', () => {
    const html = renderBlocks(
      tokensOf('[x](javascript:alert(1)) ![y](data:image/png;base64,AA) [z](/ok)'),
      BASE,
    );
    expect(html).toBe('<p>x  <a href="https://news.example/ok">z</a></p>');
  });
});
