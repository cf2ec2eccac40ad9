import { Feed, type FeedOptions, type Item } from 'feed';
import { stripXmlInvalid } from './text.ts';

// `feed` 6.0.0 writes XML that is not always well-formed. Its mistakes, and the fix for each:
// - it escapes only the first `]]>` inside a CDATA section: every `]]>` in text bound for
//   CDATA becomes CDATA_END, restored afterwards as `]]]]><![CDATA[>`;
// - it writes `<` raw inside attributes and turns a literal `&amp;` in text into `&`:
//   `&` and `<` in plain strings become AMP/LT, restored as `&amp;`/`&lt;`;
// - it writes XML-invalid characters as they come: they are stripped first.
// - it writes titles as CDATA (and Atom ones as type="html"): plain text bound for a title or
//   another text element is marked with TEXT, and written as character data instead, with
//   `&`, `<` and `>` as TEXT_AMP/TEXT_LT/TEXT_GT, restored as hexadecimal references.
// The markers are C0 controls, which XML 1.0 forbids and stripXmlInvalid removes, so none can
// come from content. A SLOT marker, passed as a copyright/rights value, lets the caller put
// extra XML where feed has no field for it (paging links, Atom `rel="via"`).
const CDATA_END = '\u0001';
const AMP = '\u0002';
const LT = '\u0003';
const SLOT = '\u0004';
const TEXT = '\u0005';
const TEXT_AMP = '\u0006';
const TEXT_LT = '\u0007';
const TEXT_GT = '\u0008';

/** Makes a plain string safe for an element or attribute that feed writes as text. */
export function plain(text: string): string {
  return stripXmlInvalid(text).replace(/&/g, AMP).replace(/</g, LT);
}

/**
 * Makes plain text safe for a text element (a title, a category, a name), written as character
 * data with `&`, `<` and `>` as `&#x26;`, `&#x3C;` and `&#x3E;`: the RSS Profile ("Character
 * Data") recommends these references for plain text as the form the most readers decode once,
 * and the W3C Feed Validator does not take text written so for HTML. In a title, feed's CDATA
 * wrapper (and Atom `type="html"`) is dropped, so the title is an RFC 4287 §3.1.1.1 text construct.
 */
export function text(value: string): string {
  return TEXT + stripXmlInvalid(value).replace(/&/g, TEXT_AMP).replace(/</g, TEXT_LT).replace(/>/g, TEXT_GT);
}

/** Makes a string safe for an element that feed writes as CDATA (summaries, content). */
export function cdata(text: string): string {
  return stripXmlInvalid(text).replaceAll(']]>', CDATA_END);
}

/** A placeholder that `renderSafely` replaces with `slots[index]`, written verbatim. */
export function slot(index: number): string {
  return `${SLOT}${index}${SLOT}`;
}

/**
 * Runs one of feed's renderers over options and items prepared with `plain`/`cdata`, then
 * restores the markers. The caller passes `updated` so that feed never reads the clock.
 */
export function renderSafely(
  options: FeedOptions & { updated: Date },
  items: Item[],
  format: 'rss2' | 'atom1',
  slots: readonly string[] = [],
): string {
  const feed = new Feed(options);
  for (const item of items) feed.addItem(item);
  const xml = feed[format]();
  return xml
    .replace(/<(rights|copyright)>\u0004(\d+)\u0004<\/\1>/g, (_, _tag: string, index: string) => slots[Number(index)] ?? '')
    // Text has no `>` left, so the first `]]>` after TEXT ends its CDATA section.
    .replace(/(?: type="html")?><!\[CDATA\[\u0005([^]*?)\]\]>/g, '>$1')
    .replaceAll(TEXT, '')
    .replaceAll(TEXT_AMP, '&#x26;')
    .replaceAll(TEXT_LT, '&#x3C;')
    .replaceAll(TEXT_GT, '&#x3E;')
    .replaceAll(CDATA_END, ']]]]><![CDATA[>')
    .replaceAll(AMP, '&amp;')
    .replaceAll(LT, '&lt;');
}

/**
 * Cuts the single item out of a one-item document: from the first `open` (which comes
 * before any content, since the channel fields are escaped text) to the last `close` (which
 * comes after it, since content sits in CDATA inside the item).
 */
export function extractItem(xml: string, open: string, close: string): string {
  const start = xml.indexOf(open);
  const end = xml.lastIndexOf(close);
  if (start === -1 || end < start) throw new Error(`internal error: no ${open.trim()} in the rendered document`);
  return xml.slice(start, end + close.length);
}

/** Splits an item-less document before its closing tag, where items go. */
export function splitAtClose(xml: string, close: string): { head: string; tail: string } {
  const at = xml.lastIndexOf(close);
  if (at === -1) throw new Error(`internal error: no ${close.trim()} in the rendered document`);
  return { head: xml.slice(0, at), tail: xml.slice(at) };
}
