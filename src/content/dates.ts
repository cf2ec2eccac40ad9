import { createRequire } from 'node:module';
import { TZDate } from '@date-fns/tz';
import { isLenientRfc3339, isRealDateTime } from '../site/rfc3339.ts';

const require = createRequire(import.meta.url);

/** date-fns's `isMatch` and `parse`, once a prose date has needed them. */
let proseParsers:
  | {
      isMatch: typeof import('date-fns/isMatch').isMatch;
      parse: typeof import('date-fns/parse').parse;
    }
  | undefined;

/**
 * Loads date-fns's prose-date functions at the first prose date. They are about 140 files,
 * nearly half a second of a build's start, and a rebuild whose changed articles date themselves
 * in front matter needs none of them. Their CommonJS files, not their ES modules: Node's ES
 * module resolver re-reads the package's large package.json for each of the many files `parse`
 * imports, which `require` of the same functions does not (BENCHMARKS.md, "The build").
 */
function loadProseParsers(): NonNullable<typeof proseParsers> {
  proseParsers ??= {
    isMatch: (require('date-fns/isMatch') as typeof import('date-fns/isMatch')).isMatch,
    parse: (require('date-fns/parse') as typeof import('date-fns/parse')).parse,
  };
  return proseParsers;
}

/** Result of reading a date: an instant, or a sentence saying what is wrong. */
export type DateResult = { ok: true; value: number } | { ok: false; problem: string };

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?$/;

/**
 * Reads a front-matter date: RFC 3339 with an offset, or a local date or date-time
 * (`2023-09-25`, `2023-09-25 14:30`) read in `timeZone`. Impossible dates are refused.
 * @example parseDateValue('2023-09-25', 'UTC') // { ok: true, value: 1695600000000 }
 */
export function parseDateValue(raw: string, timeZone: string): DateResult {
  const text = raw.trim();
  const expected = `expected a date like 2023-09-25 or 2023-09-25T14:30:00+02:00, got ${JSON.stringify(raw)}`;
  if (isLenientRfc3339(text)) {
    // The calendar check reads the local part, whatever follows it: the offset, `Z`, or none
    // of the seconds (`2023-09-25T14:30+02:00`); `T` may be lowercase, as RFC 3339 §5.6 allows.
    const local = ISO_LOCAL.exec(localPartOf(text));
    if (!local || !isRealDate(local))
      return { ok: false, problem: `impossible date: ${JSON.stringify(raw)}` };
    const value = Date.parse(text.toUpperCase().replace(' ', 'T'));
    return Number.isNaN(value) ? { ok: false, problem: expected } : checkRange(value, raw);
  }
  const local = ISO_LOCAL.exec(text);
  if (!local) return { ok: false, problem: expected };
  if (!isRealDate(local)) return { ok: false, problem: `impossible date: ${JSON.stringify(raw)}` };
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = local;
  const date = new TZDate(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    timeZone,
  );
  return checkRange(date.getTime(), raw);
}

const PROSE_FORMATS = [
  'MMMM d, yyyy',
  'MMM d, yyyy',
  'MMMM d yyyy',
  'd MMMM yyyy',
  'd MMM yyyy',
] as const;

/**
 * Reads a date written as prose on its own line under a title, as news copy has it
 * ("September 25, 2023"); the day starts at midnight in `timeZone`. Returns undefined
 * when the line is not such a date.
 */
export function parseProseDate(line: string, timeZone: string): number | undefined {
  const text = line.trim().replace(/\s+/g, ' ');
  if (text.length > 40) return undefined;
  const iso = parseDateValue(text, timeZone);
  if (iso.ok) return iso.value;
  // Every prose format names a month: without a letter the line is no prose date.
  if (!/\p{L}/u.test(text)) return undefined;
  const { isMatch, parse } = loadProseParsers();
  for (const format of PROSE_FORMATS) {
    if (!isMatch(text, format)) continue;
    const day = parse(text, format, new Date(2000, 0, 1));
    return new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), timeZone).getTime();
  }
  return undefined;
}

/** The local date and time of an RFC 3339 date-time with an offset, in ISO_LOCAL's form. */
function localPartOf(dateTime: string): string {
  return dateTime.replace(/(?:Z|[+-]\d{2}:\d{2})$/i, '').replace(/[Tt ]/, 'T');
}

/** Whether a local date or date-time (ISO_LOCAL's fields) is a real day and time; no leap second, as a local time cannot say which. */
function isRealDate(match: RegExpExecArray): boolean {
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match.map((part) => part ?? undefined);
  return isRealDateTime(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), 59);
}

function checkRange(value: number, raw: string): DateResult {
  // RSS dates need a four-digit year (RFC 822 as profiled by the RSS Advisory Board).
  const year = new Date(value).getUTCFullYear();
  if (year < 1970 || year > 9999)
    return { ok: false, problem: `date out of range (1970 to 9999): ${JSON.stringify(raw)}` };
  return { ok: true, value };
}
