import { describe, expect, it } from 'vitest';
import { parseDateValue, parseProseDate } from '../../../src/content/dates.ts';

describe('parseDateValue', () => {
  it.each([
    ['2023-09-25T14:30:00+02:00', '2023-09-25T12:30:00.000Z'],
    ['2023-09-25T14:30+02:00', '2023-09-25T12:30:00.000Z'],
    ['2023-09-25T14:30Z', '2023-09-25T14:30:00.000Z'],
    ['2023-09-25t14:30:00z', '2023-09-25T14:30:00.000Z'],
    ['2023-09-25 14:30-05:00', '2023-09-25T19:30:00.000Z'],
    ['2023-09-25T14:30:00.123456789Z', '2023-09-25T14:30:00.123Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
  ])('reads %s, with its offset, as %s', (raw, instant) => {
    const result = parseDateValue(raw, 'Europe/Moscow');
    expect(result).toEqual({ ok: true, value: Date.parse(instant) });
  });

  it.each([
    '2023-02-30T10:00:00Z',
    '2023-02-30T10:00Z',
    '2023-09-25T24:00+02:00',
    '2023-09-25t10:60:00z',
    '2023-02-29 10:00Z',
  ])('refuses the impossible date-time %s', (raw) => {
    expect(parseDateValue(raw, 'UTC')).toEqual({
      ok: false,
      problem: `impossible date: ${JSON.stringify(raw)}`,
    });
  });

  it('reads a date or a local date-time without an offset in the time zone', () => {
    expect(parseDateValue('2023-09-25', 'Europe/Moscow')).toEqual({
      ok: true,
      value: Date.parse('2023-09-24T21:00:00Z'),
    });
    expect(parseDateValue('2023-09-25 14:30', 'UTC')).toEqual({
      ok: true,
      value: Date.parse('2023-09-25T14:30:00Z'),
    });
  });

  it('says what it expected when the text is no date', () => {
    expect(parseDateValue('25/09/23', 'UTC')).toEqual({
      ok: false,
      problem: 'expected a date like 2023-09-25 or 2023-09-25T14:30:00+02:00, got "25/09/23"',
    });
  });

  it('refuses years that RSS cannot write', () => {
    expect(parseDateValue('1969-12-31T23:00:00Z', 'UTC')).toEqual({
      ok: false,
      problem: 'date out of range (1970 to 9999): "1969-12-31T23:00:00Z"',
    });
  });
});

describe('parseProseDate', () => {
  it('reads a date line as news copy writes it, at midnight in the time zone', () => {
    expect(parseProseDate('September 25, 2023', 'UTC')).toBe(Date.parse('2023-09-25T00:00:00Z'));
    expect(parseProseDate('25 Sep 2023', 'UTC')).toBe(Date.parse('2023-09-25T00:00:00Z'));
    expect(parseProseDate('Moscow, where it rained', 'UTC')).toBeUndefined();
  });
});
