/**
 * Decodes an article file as UTF-8, refusing invalid bytes rather than replacing them; on
 * failure, the first line that does not decode on its own, for the message.
 */
export function decodeUtf8(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; line: number } {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          decoder.decode(bytes.subarray(start, i));
        } catch {
          return { ok: false, line };
        }
        line++;
        start = i + 1;
      }
    }
    return { ok: false, line: 1 };
  }
}
