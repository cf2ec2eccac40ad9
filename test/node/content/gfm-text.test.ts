// The articles' markdown is lexed with a faster rule for runs of inline text
// (src/content/gfm-text.ts): it must match what marked's own GFM rule matches, and the lexer
// using it must give marked's tokens, on any text.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Lexer, Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { FAST_GFM_TEXT, GFM_TEXT_SOURCE } from '../../../src/content/gfm-text.ts';
import { lexBlocks } from '../../../src/content/markdown.ts';

const MARKED_GFM_TEXT = Lexer.rules.inline.gfm.text;
const STOCK = new Marked({ gfm: true });

/** Pieces of text around every way a text run can end, for random strings. */
const PIECES = [
  ...'ab hfwHFW1_*~`\\<![]()@.:-\'"é—“\n'.split(''),
  '  \n',
  '   \n',
  ' \n',
  'http',
  'HTTPS://x',
  'ftp://',
  // Near-misses of the autolink starts, which the fast rule's letters must tell apart.
  'htt',
  'hTtP',
  'ft',
  'ftp:/',
  'FTP://',
  'ww.',
  'wwww.',
  'www.',
  ' www.x',
  '(www.',
  'mailto:',
  'xmpp:',
  'a@b.co',
  'first.last+tag@news.example',
  '&#39;',
  '&#x26;',
  '&amp;',
  'word',
  'the',
  'snake_case',
  '``',
  '~~',
];

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((p) => p.join(''));

describe('the GFM text rule', () => {
  it('is built from the rule marked has (a new marked must be checked again)', () => {
    expect(MARKED_GFM_TEXT.source).toBe(GFM_TEXT_SOURCE);
    expect(MARKED_GFM_TEXT.flags).toBe('');
  });

  it('matches what marked’s rule matches, on random text', () => {
    fc.assert(
      fc.property(text, (src) => {
        expect(FAST_GFM_TEXT.exec(src)?.[0]).toBe(MARKED_GFM_TEXT.exec(src)?.[0]);
      }),
      { numRuns: 5000 },
    );
  });

  it('ends a run where marked’s rule does, at each kind of end', () => {
    const cases = [
      'plain words only',
      'stops before *emphasis',
      'before the http of a URL',
      'before ftp://x but not ftp',
      'at www.example but not awww.',
      'a hard break  \nnext',
      'three spaces   \nnext',
      'one space \nnext',
      'before a mail: to desk@news.example',
      'before mailto:desk@news.example',
      ' mailto:at the start',
      'snake_case and _under',
      '`` backticks',
      '~~ tildes',
      'ends with h',
      '',
    ];
    for (const src of cases)
      expect(FAST_GFM_TEXT.exec(src)?.[0], src).toBe(MARKED_GFM_TEXT.exec(src)?.[0]);
  });

  it('gives marked’s own tokens, on random markdown and on the seed article', () => {
    const seed = readFileSync(
      new URL(
        '../../../articles/moscow-rebuffs-armenian-pms-claims-of-betrayal.md',
        import.meta.url,
      ),
      'utf8',
    );
    const tokens = (src: string) => lexBlocks(src).map((block) => block.token);
    expect(tokens(seed)).toEqual([...STOCK.lexer(seed)]);
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...PIECES, '\n\n', '- ', '# ', '> ', '[x](/y)', '**', '|'), {
            maxLength: 40,
          })
          .map((p) => p.join('')),
        (src) => {
          expect(tokens(src)).toEqual([...STOCK.lexer(src)]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
