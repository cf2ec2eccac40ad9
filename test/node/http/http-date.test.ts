import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHttpDate } from '../../../src/http/http-date.ts';
import { parseHttpDate } from '../../../src/http/parse-http-date.ts';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const SUNDAY = Date.parse('1994-11-06T08:49:37Z');

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', 'IMF-fixdate'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 'rfc850-date'],
    ['Sun Nov  6 08:49:37 1994', 'asctime-date'],
    ['  Sun, 06 Nov 1994 08:49:37 GMT ', 'IMF-fixdate with surrounding space'],
  ])('reads %j (%s)', (value) => {
    expect(parseHttpDate(value, NOW)).toBe(SUNDAY);
  });

  it.each([
    '',
    'yesterday',
    '2023-09-26',
    'Mon, 99 Sep 2023 00:00:00 GMT',
    'Sun, 06 Nov 1994 08:49:37 PST',
    'Sun, 06 Nov 1994 25:00:00 GMT',
    `Sun, 06 Nov 1994 08:49:37 GMT${' '.repeat(20)}x`,
  ])('refuses %j', (value) => {
    expect(parseHttpDate(value, NOW)).toBeUndefined();
  });

  it('refuses a value far longer than any HTTP date without parsing it', () => {
    expect(
      parseHttpDate(`Sun, 06 Nov 1994 08:49:37 GMT${'x'.repeat(10_000)}`, NOW),
    ).toBeUndefined();
  });

  it('reads a two-digit rfc850 year within 50 years of now', () => {
    expect(parseHttpDate('Monday, 25-Sep-23 00:00:00 GMT', NOW)).toBe(
      Date.parse('2023-09-25T00:00:00Z'),
    );
    expect(
      parseHttpDate('Monday, 25-Sep-23 00:00:00 GMT', Date.parse('1960-01-01T00:00:00Z')),
    ).toBe(Date.parse('1923-09-25T00:00:00Z'));
  });
});

describe('formatHttpDate', () => {
  it('writes an IMF-fixdate truncated to whole seconds', () => {
    expect(formatHttpDate(SUNDAY + 999)).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it('round-trips through parseHttpDate at whole seconds', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('1970-01-01T00:00:00Z'),
          max: Date.parse('9999-12-31T23:59:59Z'),
        }),
        (epochMs) => {
          expect(parseHttpDate(formatHttpDate(epochMs), NOW)).toBe(
            Math.floor(epochMs / 1000) * 1000,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
