import { describe, expect, it } from 'vitest';
import { isLenientRfc3339, isRealDateTime, parseRfc3339 } from '../../../src/site/rfc3339.ts';

describe('parseRfc3339 (the strict form, for `since`)', () => {
  it.each([
    ['2026-11-27T09:00:00Z', '2026-11-27T09:00:00.000Z'],
    ['2026-11-27t09:00:00z', '2026-11-27T09:00:00.000Z'],
    ['2026-11-27T10:30:00+01:30', '2026-11-27T09:00:00.000Z'],
    ['2026-11-27T09:00:00.123456Z', '2026-11-27T09:00:00.123Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %j', (text, iso) => {
    expect(new Date(parseRfc3339(text) ?? Number.NaN).toISOString()).toBe(iso);
  });

  it.each([
    '2026-11-27 09:00:00Z',
    '2026-11-27T09:00Z',
    '2026-11-27T09:00:00',
    '2026-11-27',
    '2023-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-27T24:00:00Z',
    '2026-11-27T09:60:00Z',
    ' 2026-11-27T09:00:00Z',
  ])('refuses %j', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});

describe('isLenientRfc3339 (the front-matter form)', () => {
  it('allows a space for the T, no seconds, either case, and up to nine digits of fraction, with an offset', () => {
    for (const text of [
      '2026-11-27 09:00:00Z',
      '2026-11-27T09:00+02:00',
      '2026-11-27t09:00:00z',
      '2026-11-27T09:00:00.123456789Z',
    ])
      expect(isLenientRfc3339(text), text).toBe(true);
    for (const text of [
      '2026-11-27T09:00:00',
      '2026-11-27',
      '2026-11-27T09:00:00.1234567890Z',
      '2026-11-27T9:00Z',
    ])
      expect(isLenientRfc3339(text), text).toBe(false);
  });
});

describe('isRealDateTime', () => {
  it('knows month lengths and leap years, and allows second 60 only where asked', () => {
    expect(isRealDateTime(2024, 2, 29, 0, 0, 0, 59)).toBe(true);
    expect(isRealDateTime(2023, 2, 29, 0, 0, 0, 59)).toBe(false);
    expect(isRealDateTime(2023, 4, 31, 0, 0, 0, 59)).toBe(false);
    expect(isRealDateTime(2023, 12, 31, 23, 59, 59, 59)).toBe(true);
    expect(isRealDateTime(2023, 12, 31, 23, 59, 60, 59)).toBe(false);
    expect(isRealDateTime(2016, 12, 31, 23, 59, 60, 60)).toBe(true);
    expect(isRealDateTime(2023, 0, 1, 0, 0, 0, 59)).toBe(false);
    expect(isRealDateTime(2023, 1, 0, 0, 0, 0, 59)).toBe(false);
  });
});
