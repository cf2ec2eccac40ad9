/**
 * RFC 3339 §5.6 `date-time`, as the `since` query parameter takes it: `T` in either case,
 * seconds, any fraction, and `Z` or a numeric offset.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The front-matter variant, for dates people type: a space may stand for the `T` (as §5.6's
 * note allows), seconds may be left out, and a fraction has at most nine digits.
 */
const LENIENT_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Whether the numbers name a day of the Gregorian calendar and a time of day (RFC 3339 §5.7).
 * `lastSecond` is 60 where a leap second is allowed (§5.6 `time-second`), else 59.
 */
export function isRealDateTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  lastSecond: 59 | 60,
): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth && hour <= 23 && minute <= 59 && second <= lastSecond;
}

/**
 * Reads a strict RFC 3339 date-time (the `since` parameter) as epoch milliseconds; undefined
 * when the text is not one or names no real instant.
 * @example parseRfc3339('2026-11-27T09:00:00Z') // 1795770000000
 */
export function parseRfc3339(text: string): number | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  if (
    mo === undefined ||
    d === undefined ||
    h === undefined ||
    mi === undefined ||
    s === undefined ||
    y === undefined
  )
    return undefined;
  if (!isRealDateTime(y, mo, d, h, mi, s, 60)) return undefined;
  const value = Date.parse(text.toUpperCase());
  return Number.isNaN(value) ? undefined : value;
}

/** Whether `text` has the form of the lenient front-matter variant of an RFC 3339 date-time with an offset (its calendar is not checked). */
export function isLenientRfc3339(text: string): boolean {
  return LENIENT_DATE_TIME.test(text);
}
