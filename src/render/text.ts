/**
 * Characters XML 1.0 §2.2 does not allow: C0 controls other than tab, LF and CR, lone
 * surrogates, and U+FFFE/U+FFFF. They are dropped from every string before it is written.
 */
const XML_INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 §2.2 forbids these C0 controls; finding them is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Any character XML_INVALID might match: one scan of a plain class, much faster than XML_INVALID's. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 §2.2 forbids these C0 controls; finding them is the point
const MAYBE_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Removes characters that XML 1.0 does not allow, keeping all others. */
export function stripXmlInvalid(text: string): string {
  return MAYBE_INVALID.test(text) ? text.replace(XML_INVALID, '') : text;
}

/** Escapes text for HTML and XML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The escape of each character `escapeHtml` escapes. */
export const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
