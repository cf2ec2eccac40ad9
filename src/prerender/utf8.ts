import { transcode } from 'node:buffer';
import { type Bytes, encodeUtf8 } from '../site/chunks.ts';

/**
 * `text` as UTF-8, the bytes `encodeUtf8` (TextEncoder) gives, in an ArrayBuffer of its own (a
 * worker thread can transfer it): the build's encoder. The build's text is mostly *two-byte*
 * strings (one curly quote or dash makes a whole page so), and V8 encodes those, and flattens
 * the concatenations they are built of, at about 150–250 MB/s; ICU's converter, from the
 * string's UTF-16 as it is held, is 2–3 times faster on them (an article page: 20–33 µs against
 * 58–111) and a little slower on one-byte strings (14 µs against 8 for 11 KB). ICU refuses a
 * lone surrogate, which TextEncoder writes as U+FFFD: such text, rare, goes to `encodeUtf8`.
 * Build-only: the Worker has no `node:buffer` transcoder.
 */
export function transcodeUtf8(text: string): Bytes {
  try {
    return transcode(Buffer.from(text, 'utf16le'), 'utf16le', 'utf8') as Bytes;
  } catch {
    return encodeUtf8(text);
  }
}
