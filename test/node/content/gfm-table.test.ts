// The articles' markdown is lexed with a look at each block's second line before marked's GFM
// table rule runs (src/content/gfm-table.ts): wherever the rule matches, the look must say it
// may, and the lexer must give marked's own tokens.
import fc from 'fast-check';
import { Lexer, Marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { mayStartTable } from '../../../src/content/gfm-table.ts';
import { lexBlocks } from '../../../src/content/markdown.ts';

const MARKED_GFM_TABLE = Lexer.rules.block.gfm.table;
const STOCK = new Marked({ gfm: true });

/** Pieces of a table's first two lines and of what only looks like one. */
const PIECES = [
  ...'ab |:-\n\r\t#>*`'.split(''),
  ' ',
  '  ',
  '   ',
  '    ',
  '\u2028',
  '---',
  ':--',
  '| --- |',
  '|:-:|',
  'a | b',
  'é “x”',
];

const source = fc.array(fc.constantFrom(...PIECES), { maxLength: 24 }).map((p) => p.join(''));

describe('the table look-ahead', () => {
  it('reads the rule marked has (a new marked must be checked again)', () => {
    expect(MARKED_GFM_TABLE.source.startsWith('^ *([^\\n ].*)\\n {0,3}((?:\\| *)?:?-+')).toBe(true);
  });

  it('says a table may start wherever marked’s rule matches, on random text', () => {
    let matched = 0;
    fc.assert(
      fc.property(source, (src) => {
        if (!MARKED_GFM_TABLE.test(src)) return;
        matched++;
        expect(mayStartTable(src)).toBe(true);
      }),
      { numRuns: 20000 },
    );
    // The pieces make tables often enough for the property to mean something.
    expect(matched).toBeGreaterThan(50);
  });

  it.each([
    ['a table', 'a | b\n--- | ---\n1 | 2', true],
    ['a table with a leading pipe', '| a |\n| :-: |', true],
    ['indented delimiter row', 'a\n   ---', true],
    ['four spaces: code, not a delimiter', 'a\n    ---', false],
    ['a paragraph', 'A long line of prose.\nAnd a second one.', false],
    ['one line', 'a | b', false],
  ])('%s', (_, src, may) => {
    expect(mayStartTable(src)).toBe(may);
  });

  it('gives marked’s own tokens, on random markdown with tables and near-tables', () => {
    const tokens = (src: string) => lexBlocks(src).map((block) => block.token);
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(...PIECES, '\n\n', 'text', '- ', '# ', '> ', '| x | y |\n'), {
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
