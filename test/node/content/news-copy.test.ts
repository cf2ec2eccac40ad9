import { describe, expect, it } from 'vitest';
import { lexBlocks } from '../../../src/content/markdown.ts';
import {
  findInlineHtml,
  findTitleHeading,
  inferSummary,
  readDateLine,
  takeOriginalUrlTrailer,
} from '../../../src/content/news-copy.ts';

/** The top-level blocks of a body, as the article reads them (blank lines dropped), starting at `line`. */
function blocksOf(markdown: string, line = 1): ReturnType<typeof lexBlocks> {
  return lexBlocks(markdown, line).filter((b) => b.token.type !== 'space');
}

const LEDE =
  'The central bank cut its main rate by half a point on Thursday, the first cut in four years.';

describe('findTitleHeading', () => {
  it('finds the first `# ` heading, its words and its line, and whether it opens the body', () => {
    const opening = findTitleHeading(blocksOf('# Rates *cut* again\n\nBody.\n\n# Second', 5));
    expect(opening).toMatchObject({ text: 'Rates cut again', line: 5, first: true });
    const later = findTitleHeading(
      blocksOf('A kicker line.\n\n## Not this\n\n# This one\n\nBody.'),
    );
    expect(later).toMatchObject({ text: 'This one', line: 5, first: false });
  });

  it('finds none without a level-1 heading', () => {
    expect(findTitleHeading(blocksOf('## Only a subheading\n\nBody.'))).toBeUndefined();
    expect(findTitleHeading([])).toBeUndefined();
  });
});

describe('findInlineHtml', () => {
  it('finds raw HTML at any depth of a heading, and nothing in markdown alone', () => {
    const heading = (markdown: string) => {
      const found = findTitleHeading(blocksOf(markdown));
      if (!found) throw new Error(`no heading in ${markdown}`);
      return found.token;
    };
    expect(findInlineHtml(heading('# Tags <b>bold</b>'))).toBe('<b>');
    expect(findInlineHtml(heading('# A *quiet <!-- note --> word*'))).toBe('<!-- note -->');
    expect(findInlineHtml(heading('# Tags **bold** & a < b'))).toBeUndefined();
  });
});

describe('readDateLine', () => {
  it('reads a date line as midnight in the time zone', () => {
    expect(readDateLine(blocksOf('September 25, 2023\n\nBody.'), 'UTC')).toBe(
      Date.parse('2023-09-25T00:00:00Z'),
    );
    expect(readDateLine(blocksOf('25 Sep 2023\n\nBody.'), 'Europe/Moscow')).toBe(
      Date.parse('2023-09-24T21:00:00Z'),
    );
    expect(readDateLine(blocksOf('2023-09-25'), 'UTC')).toBe(Date.parse('2023-09-25T00:00:00Z'));
  });

  it('reads nothing when the first block is not a date line', () => {
    expect(readDateLine(blocksOf(`${LEDE}\n\nSeptember 25, 2023`), 'UTC')).toBeUndefined();
    expect(readDateLine(blocksOf('## September 25, 2023'), 'UTC')).toBeUndefined();
    expect(readDateLine([], 'UTC')).toBeUndefined();
  });
});

describe('takeOriginalUrlTrailer', () => {
  it('takes "Original url:" with the URL on the same line or the next, and the blocks before it', () => {
    const same = takeOriginalUrlTrailer(
      blocksOf(`${LEDE}\n\nOriginal url: <https://elsewhere.example/a>`),
    );
    expect(same).toMatchObject({ url: 'https://elsewhere.example/a', line: 3 });
    expect(same?.rest.map((b) => b.token.type)).toEqual(['paragraph']);
    const next = takeOriginalUrlTrailer(
      blocksOf(`${LEDE}\n\nOriginal URL:\n\n<https://elsewhere.example/b>`),
    );
    expect(next).toMatchObject({ url: 'https://elsewhere.example/b', line: 3 });
    expect(next?.rest).toHaveLength(1);
  });

  it('takes nothing unless the lines end the body', () => {
    expect(
      takeOriginalUrlTrailer(
        blocksOf(`Original url: https://elsewhere.example/a\n\n${LEDE}\n\nMore.`),
      ),
    ).toBeUndefined();
    expect(takeOriginalUrlTrailer(blocksOf(`${LEDE}\n\nOriginal url:`))).toBeUndefined();
    expect(takeOriginalUrlTrailer(blocksOf(LEDE))).toBeUndefined();
  });
});

describe('inferSummary', () => {
  it('takes the first paragraph of twelve words or more that is not a credit or label line', () => {
    const body = `Short kicker.\n\n**Photo:** A crowd outside the bank on Thursday morning, waiting for the decision to come.\n\n${LEDE}\n\nAnother long paragraph that comes later and has more than twelve words in it.`;
    expect(inferSummary(blocksOf(body))).toBe(LEDE);
  });

  it('falls back to the first paragraph, and to nothing without one', () => {
    expect(inferSummary(blocksOf('Too short.\n\nAlso *short*.'))).toBe('Too short.');
    expect(inferSummary(blocksOf('## Heading only'))).toBe('');
  });
});
