// The articles' markdown is lexed with a look at each block before marked's GFM table and
// setext-heading rules run (src/content/gfm-blocks.ts): wherever a rule matches, its look must
// say it may, and the lexer must give marked's own tokens.
import fc from 'fast-check';
import { Lexer, Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { mayStartSetextHeading, mayStartTable } from '../../../src/content/gfm-blocks.ts';
import { lexBlocks } from '../../../src/content/markdown.ts';

const MARKED_GFM_TABLE = Lexer.rules.block.gfm.table;
const MARKED_GFM_LHEADING = Lexer.rules.block.gfm.lheading;
const STOCK = new Marked({ gfm: true });

/** Pieces of tables, setext headings, and of what only looks like them. */
const PIECES = [
  ...'ab |:-=\n\r\t#>*`'.split(''),
  ' ',
  '  ',
  '   ',
  '    ',
  '\n\n',
  '\n \n',
  '\u2028',
  '\u00a0',
  '---',
  '===',
  '\n==',
  '\n  -',
  ':--',
  '| --- |',
  '|:-:|',
  'a | b',
  '- item',
  '1. item',
  '> quote',
  '```',
  'é “x”',
];

const source = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((p) => p.join(''));

/** Runs `look` on random text wherever `rule` matches; the number of matches seen. */
function expectMayWhereRuleMatches(rule: RegExp, look: (src: string) => boolean): number {
  let matched = 0;
  fc.assert(
    fc.property(source, (src) => {
      if (!rule.test(src)) return;
      matched++;
      expect(look(src)).toBe(true);
    }),
    { numRuns: 20000 },
  );
  return matched;
}

describe('the block look-aheads', () => {
  it('read the rules marked has (a new marked must be checked again)', () => {
    expect(MARKED_GFM_TABLE.source.startsWith('^ *([^\\n ].*)\\n {0,3}((?:\\| *)?:?-+')).toBe(true);
    expect(MARKED_GFM_LHEADING.source.endsWith('))+?)\\n {0,3}(=+|-+)[ \\t]*(?:\\n+|$)')).toBe(
      true,
    );
    expect(MARKED_GFM_LHEADING.source).toContain('((?:.|\\n(?!\\s*?\\n|');
  });

  it('say a table may start wherever marked’s table rule matches, on random text', () => {
    // The pieces make tables often enough for the property to mean something.
    expect(expectMayWhereRuleMatches(MARKED_GFM_TABLE, mayStartTable)).toBeGreaterThan(50);
  });

  it('say a setext heading may start wherever marked’s rule matches, on random text', () => {
    expect(expectMayWhereRuleMatches(MARKED_GFM_LHEADING, mayStartSetextHeading)).toBeGreaterThan(
      50,
    );
  });

  it.each([
    ['a table', 'a | b\n--- | ---\n1 | 2', true],
    ['a table with a leading pipe', '| a |\n| :-: |', true],
    ['indented delimiter row', 'a\n   ---', true],
    ['four spaces: code, not a delimiter', 'a\n    ---', false],
    ['a paragraph', 'A long line of prose.\nAnd a second one.', false],
    ['one line', 'a | b', false],
  ])('table: %s', (_, src, may) => {
    expect(mayStartTable(src)).toBe(may);
  });

  it.each([
    ['an = underline', 'Title\n=====\n\nText', true],
    ['a - underline on the third line', 'Two\nlines\n  ---', true],
    ['a paragraph', 'A long line of prose.\nAnd a second one.\n\nNext.', false],
    ['an underline after a blank line', 'Text\n\n---', false],
    ['four spaces: code, not an underline', 'Title\n    ===', false],
    ['one line', '---', false],
  ])('setext heading: %s', (_, src, may) => {
    expect(mayStartSetextHeading(src)).toBe(may);
  });

  it('give marked’s own tokens, on random markdown with tables, headings and near-misses', () => {
    const tokens = (src: string) => lexBlocks(src).map((block) => block.token);
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...PIECES, 'text', '# ', '| x | y |\n', 'Title\n==\n'), {
            maxLength: 40,
          })
          .map((p) => p.join('')),
        (src) => {
          expect(tokens(src)).toEqual([...STOCK.lexer(src)]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
