// The build's UTF-8 encoder stands in for TextEncoder: the same bytes for every string, lone
// surrogates included, each in an ArrayBuffer a worker thread can transfer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transcodeUtf8 } from '../../../src/prerender/utf8.ts';

const encoder = new TextEncoder();

function expectTextEncoderBytes(text: string): void {
  const bytes = transcodeUtf8(text);
  expect(Buffer.from(bytes).equals(encoder.encode(text))).toBe(true);
  // Its own buffer, exactly: a transfer hands over the whole ArrayBuffer.
  expect(bytes.byteOffset).toBe(0);
  expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
}

describe('transcodeUtf8', () => {
  it.each([
    ['empty', ''],
    ['ASCII', '<p>plain</p>'],
    ['Latin-1 (a one-byte string)', 'Île-de-France, Zoë'],
    ['two-byte', '“Quoted” — dashes’'],
    ['astral', 'emoji 😀 and 𝒳'],
    ['lone high surrogate', 'a\uD800b'],
    ['lone low surrogate at the end', 'x\uDC00'],
    ['reversed pair', '\uDE00\uD83D'],
    ['noncharacters', '\uFFFE\uFFFF\u0000'],
    ['long, past the small-buffer pool', `${'é'.repeat(9000)}—`],
  ])('%s: the bytes TextEncoder gives', (_, text) => {
    expectTextEncoderBytes(text);
  });

  it('a string built of many pieces (a rope) comes out as TextEncoder has it', () => {
    let text = '';
    for (let i = 0; i < 2000; i++) text += i % 7 === 0 ? '“é”' : `<p>${i}</p>`;
    expectTextEncoderBytes(text);
  });

  it('any string: the bytes TextEncoder gives', () => {
    // Full 16-bit code units, so lone and paired surrogates both come up.
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), expectTextEncoderBytes), {
      numRuns: 2000,
    });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffff })).map((units) => String.fromCharCode(...units)),
        expectTextEncoderBytes,
      ),
      { numRuns: 2000 },
    );
  });
});
