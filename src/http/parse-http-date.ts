import { tz } from '@date-fns/tz';
import { parse } from 'date-fns/parse';

// Apart from http-date.ts: date-fns's `parse` is some seventy modules, which only the Worker's
// conditional requests need, not the build that imports the rest of src/http.

// RFC 9110 §5.6.7: recipients accept IMF-fixdate and the two obsolete forms.
const FORMATS = [
  "EEE, dd MMM yyyy HH:mm:ss 'GMT'", // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", // rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT
  'EEE MMM d HH:mm:ss yyyy', // asctime-date: Sun Nov  6 08:49:37 1994
] as const;
const UTC = tz('UTC');

/**
 * Reads an HTTP-date (RFC 9110 §5.6.7) into epoch ms, or undefined when it is not one.
 * `now` anchors the two-digit years of rfc850-date (§5.6.7: within 50 years of now).
 */
export function parseHttpDate(value: string, now: number): number | undefined {
  const text = value.trim().replace(/ {2,}/g, ' ');
  if (text.length > 40) return undefined;
  for (const format of FORMATS) {
    const time = parse(text, format, new Date(now), { in: UTC }).getTime();
    if (!Number.isNaN(time)) return time;
  }
  return undefined;
}
