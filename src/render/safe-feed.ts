import { Feed, type FeedOptions, type Item } from 'feed';
import { escapeHtml, stripXmlInvalid } from './text.ts';

// The boundary with `feed` 6.0.0 (pinned in package.json). The renderers hand feed everything
// it has a field for, as its options and items; extensions (RSS only: feed's atom1 reads none)
// add elements to the tree it serialises with xml-js. What feed cannot do is done here on its
// output, in five text operations. Each is safe for the reason given, and each checks the text
// it relies on, so that a feed printing otherwise stops the build with an internal error
// instead of publishing a broken feed (test/node/render/safe-feed.test.ts feeds them such text):
// 1. Escaping. feed escapes only the first `]]>` in a CDATA section, writes `<` raw in
//    attributes, reads a literal `&amp;` in text as already escaped (a reader sees `&`), and
//    writes XML-invalid characters as they come. `plain`, `text` and `cdata` strip those
//    characters and put C0-control markers in place of `&`, `<`, `>` and `]]>`; xml-js writes
//    controls untouched, and `restore` turns each marker into its escape. XML 1.0 §2.2 forbids
//    C0 controls, and no string reaches feed with one: content goes through these three, and
//    the rest are URLs that `new URL` normalised (feed's or the build's), percent-encoding
//    controls, and the build's validated language tag. So every control in feed's output is a
//    marker; one that `restore` leaves (the slot marker out of its place, one in the extra
//    elements) is a bug, and it throws.
// 2. Plain text. feed writes titles as CDATA (Atom's with type="html"). A `text` string starts
//    with the TEXT marker, so its section is the one that starts `<![CDATA[` TEXT; it has no `>`
//    but markers, so the first `]]>` after that closes it. The wrapper is dropped.
// 3. Extra elements. feed writes no paging link, and no extra Atom link at all (its atom1 reads
//    no extensions); its own RSS self and hub links would declare xmlns:atom by themselves. So
//    the links of channels, feeds and entries, written and escaped by the renderers, go where
//    the `<copyright>`/`<rights>` element is, whose text is the SLOT marker alone, found exactly
//    once on a line of its own. RSS items take theirs (dc:creator, atom:link) as extensions.
// 4. Start tags. feed declares the content and dc namespaces only in documents with items, and
//    writes no xml:lang: attributes are added to the exact start tag a frame (after the XML
//    declaration) or an item must begin with.
// 5. Content. An item's body goes in last (Additions `content`), in place of the CDATA section
//    of the CONTENT marker that feed wrote for it: feed, `restore` and the well-formedness check
//    then work on a tenth of the text.
// 6. Cutting. The build stores items and frames apart and joins them (`assembleFeed`). Items
//    are rendered a batch to a document (feed renders the fixed ITEM_CHANNEL once for all of
//    them) and cut out of feed's output before `restore`, which then works on each item with
//    that item's own extra elements. The document must end with the last item's end tag and
//    its exact closing tags. Items are cut at their start tags, each proven feed's own by their
//    count (`cutItems`); a batch in which a string holds a start tag too is rendered again an
//    item a document, where the item starts at the first start tag, since the channel before it
//    holds none. An item-less document must end with the same closing tags and hold no item
//    end tag, and is split before them.
const CDATA_END = '\u0001';
const AMP = '\u0002';
const LT = '\u0003';
const SLOT = '\u0004';
const TEXT = '\u0005';
const TEXT_AMP = '\u0006';
const TEXT_LT = '\u0007';
const TEXT_GT = '\u0008';
const CONTENT = '\u000E';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the markers are control characters on purpose: no XML text can hold them
const MARKER = /[\u0001-\u0008\u000E]/;
/** The CDATA section feed writes for an item whose content is the CONTENT marker: where the content goes. */
const CONTENT_SECTION = `<![CDATA[${CONTENT}]]>`;

/** The formats this module renders with feed, by the name of feed's method. */
export type FeedFormat = 'rss2' | 'atom1';

/** Attributes to add to a start tag, by name; values are escaped here. */
export type StartTagAttributes = Readonly<Record<string, string>>;

/** Extra XML and attributes that feed has no field for. */
export interface Additions {
  /** Elements written verbatim, one a line, where feed would write `copyright`/`rights`. */
  elements?: readonly string[];
  /** Attributes for the root element (a frame) or the item's start tag (an item). */
  attributes?: StartTagAttributes;
  /**
   * An item's content (HTML), written as CDATA where feed writes its `content`. It goes in after
   * feed and `restore` have done their work on the rest of the item, which an article's body
   * outweighs ten times over, and after the item is checked (`renderItems`'s `check`): a CDATA
   * section of XML characters without `]]>`, which is what `cdata` makes of any text, is
   * well-formed whatever it holds.
   */
  content?: string;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** The text feed 6.0.0 prints around items: a frame's start, an item's first and last tags, and the end. */
export const FEED_SHAPES: Readonly<
  Record<FeedFormat, { start: string; open: string; close: string; end: string }>
> = {
  rss2: {
    start: `${XML_DECLARATION}<rss version="2.0">`,
    open: '\n        <item>',
    close: '</item>',
    end: '\n    </channel>\n</rss>',
  },
  atom1: {
    start: `${XML_DECLARATION}<feed xmlns="http://www.w3.org/2005/Atom">`,
    open: '\n    <entry>',
    close: '</entry>',
    end: '\n</feed>',
  },
};

/** The channel of a one-item document, cut away: fixed, so that feed never reads the clock. */
const ITEM_CHANNEL: FeedOptions = { title: 'item', updated: new Date(0), generator: false };

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
  return (
    TEXT +
    stripXmlInvalid(value).replace(/&/g, TEXT_AMP).replace(/</g, TEXT_LT).replace(/>/g, TEXT_GT)
  );
}

/** Makes a string safe for an element that feed writes as CDATA (summaries, content). */
export function cdata(text: string): string {
  return stripXmlInvalid(text).replaceAll(']]>', CDATA_END);
}

/** An item's fields for feed (prepared with `plain`/`text`/`cdata`), and what is added to its XML. */
export interface FeedEntry {
  item: Item;
  additions?: Additions;
}

/**
 * Renders entries as `format` and returns each item's element exactly as `renderItem` does.
 * They share one document, whose channel feed renders once instead of once an item.
 */
export function renderItems(
  format: FeedFormat,
  entries: readonly FeedEntry[],
  check?: (item: string) => void,
): string[] {
  if (entries.length === 0) return [];
  const feed = new Feed(ITEM_CHANNEL);
  for (const { item, additions } of entries) feed.addItem(reserveSlots(item, additions));
  const fragments = cutItems(feed[format](), format, entries.length);
  // A string holds an item's exact start tag: the cut cannot tell it from feed's own, but the
  // first start tag of a one-item document is always the item's.
  if (fragments === undefined)
    return entries.map(({ item, additions }) => renderItem(format, item, additions, check));
  return fragments.map((fragment, i) => finishItem(fragment, format, entries[i]?.additions, check));
}

/**
 * Renders one item (fields prepared with `plain`/`text`/`cdata`) as `format` and returns its
 * element, led by the line break and indentation feed gives it in a document.
 */
export function renderItem(
  format: FeedFormat,
  item: Item,
  additions: Additions = {},
  check?: (item: string) => void,
): string {
  const feed = new Feed(ITEM_CHANNEL);
  feed.addItem(reserveSlots(item, additions));
  return finishItem(cutItem(feed[format](), format), format, additions, check);
}

/**
 * Turns an item cut out of feed's output into XML with its own extra elements, attributes and
 * content. Done on the item alone, `restore` checks that the item holds its own slot (once, if
 * it has elements) and its own content section, so no item's additions can land in another's.
 * `check` sees the item before its content goes in.
 */
function finishItem(
  fragment: string,
  format: FeedFormat,
  additions: Additions = {},
  check?: (item: string) => void,
): string {
  const content = additions.content ? cdata(additions.content) : undefined;
  const item = addAttributes(
    restore(fragment, additions.elements, content !== undefined),
    FEED_SHAPES[format].open,
    format,
    additions.attributes,
  );
  if (content === undefined) {
    check?.(item);
    return item;
  }
  // The marker is no XML character: the item is checked with an empty section in its place.
  check?.(item.replace(CONTENT_SECTION, '<![CDATA[]]>'));
  // As `restore` writes a CDATA_END marker; a function, so that no `$` in the content is a pattern.
  return item.replace(
    CONTENT_SECTION,
    () => `<![CDATA[${content.replaceAll(CDATA_END, ']]]]><![CDATA[>')}]]>`,
  );
}

/**
 * Renders a document without items as `format` and splits it where items go. The caller
 * passes `updated` so that feed never reads the clock.
 */
export function renderFrame(
  format: FeedFormat,
  options: FeedOptions & { updated: Date },
  additions: Additions = {},
): { head: string; tail: string } {
  const elements = additions.elements ?? [];
  const xml = restore(new Feed(reserveSlot(options, elements))[format](), elements);
  return splitFrame(
    addAttributes(xml, FEED_SHAPES[format].start, format, additions.attributes),
    format,
  );
}

/** Puts the SLOT marker in the copyright field when there are elements to put in its place. */
function reserveSlot<T extends { copyright?: string }>(fields: T, elements: readonly string[]): T {
  if (elements.length === 0) return fields;
  if (fields.copyright !== undefined)
    throw new Error(
      'internal error: copyright is the place of the extra elements, and cannot be set too',
    );
  return { ...fields, copyright: SLOT };
}

/** An item with the SLOT marker for its extra elements and the CONTENT marker for its content, where it has them. */
function reserveSlots(item: Item, additions: Additions = {}): Item {
  const slotted = reserveSlot(item, additions.elements ?? []);
  if (!additions.content) return slotted;
  if (item.content !== undefined)
    throw new Error('internal error: an item has its content as a field and as an addition');
  return { ...slotted, content: CONTENT };
}

/**
 * Turns the markers in feed's output back into XML: unwraps `text` strings from CDATA, writes
 * each escape, and puts `elements` (verbatim, on lines of the element's indentation) in place
 * of the one slot element. `content`: the item holds its content's section (its CONTENT
 * marker), once, left for `finishItem` to fill. Throws when the slot or that section is not
 * where it must be or a marker is left.
 */
export function restore(xml: string, elements: readonly string[] = [], content = false): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the markers are control characters on purpose: no XML text can hold them
  const unwrapped = xml.replace(/(?: type="html")?><!\[CDATA\[\u0005([\s\S]*?)\]\]>/g, '>$1');
  if (unwrapped.includes(`<![CDATA[${TEXT}`))
    throw createShapeError(
      'a CDATA section with plain text does not directly follow its start tag',
    );
  const escaped = unwrapped
    .replaceAll(TEXT, '')
    .replaceAll(TEXT_AMP, '&#x26;')
    .replaceAll(TEXT_LT, '&#x3C;')
    .replaceAll(TEXT_GT, '&#x3E;')
    .replaceAll(CDATA_END, ']]]]><![CDATA[>')
    .replaceAll(AMP, '&amp;')
    .replaceAll(LT, '&lt;');
  let slots = 0;
  const restored = escaped.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the markers are control characters on purpose: no XML text can hold them
    /(\n *)<(rights|copyright)>\u0004<\/\2>/g,
    (_, indent: string) => {
      slots++;
      return indent + elements.join(indent);
    },
  );
  if (slots !== (elements.length > 0 ? 1 : 0)) {
    throw createShapeError(
      `${slots} <copyright>/<rights> elements hold the extra elements' place, where ${elements.length > 0 ? 1 : 0} must`,
    );
  }
  const sections = restored.split(CONTENT_SECTION).length - 1;
  if (sections !== (content ? 1 : 0))
    throw createShapeError(
      `${sections} content sections hold the content's place, where ${content ? 1 : 0} must`,
    );
  const left = MARKER.exec(content ? restored.replace(CONTENT_SECTION, '') : restored);
  if (left) {
    const code = left[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new Error(
      `internal error: U+${code} is left in feed's output at offset ${left.index} (${JSON.stringify(restored.slice(Math.max(0, left.index - 40), left.index + 40))}): the slot marker out of its place, or a control character in a string that went round plain, text and cdata`,
    );
  }
  return restored;
}

/**
 * Cuts the one item out of a one-item `format` document: from the first item start tag (the
 * channel before it is ITEM_CHANNEL) to the item end tag that must end the document but for
 * its closing tags.
 */
export function cutItem(xml: string, format: FeedFormat): string {
  const { open, close, end } = FEED_SHAPES[format];
  const start = xml.indexOf(open);
  if (start === -1)
    throw createShapeError(`no ${JSON.stringify(open)} in the one-item ${format} document`);
  if (!xml.endsWith(close + end))
    throw createShapeError(
      `the one-item ${format} document does not end with ${JSON.stringify(close + end)}`,
    );
  return xml.slice(start, xml.length - end.length);
}

/**
 * Cuts the `count` items out of a `format` document of `count` items: each from its start tag
 * to the next item's, the last to the document's closing tags. Undefined when the document
 * holds more start tags than items (a string holds one), so that the caller renders each item
 * in a document of its own.
 *
 * Why the cut is right when the count is: feed prints each item's start tag `open` once, the
 * items in the order they were added, one right after the other, and the channel before them
 * (ITEM_CHANNEL) holds none. A string in an item (CDATA content above all, which may hold any
 * text) can add occurrences of `open`, but cannot remove one of feed's: those are feed's own
 * text, outside every string. Nor can an occurrence straddle one of feed's: `open` holds a
 * single line break, its first character (in both formats), so two occurrences that overlap
 * share it and are the same. So the scan below, which steps over each match, finds every
 * occurrence, feed's `count` among them, and finding exactly `count` proves that each is an
 * item's start. End tags are not searched: content can add those as well, and a cut at the
 * first one after a start would fall inside the item. Instead an item ends where the next
 * proven start begins, or where the document's closing tags (its end, checked) begin; the
 * characters before either are the item's own end tag, printed by feed after the content and
 * the item's other elements, so no string can stand there; each piece is checked to end with
 * `close` all the same, as the shape feed 6.0.0 prints.
 */
export function cutItems(xml: string, format: FeedFormat, count: number): string[] | undefined {
  const { open, close, end } = FEED_SHAPES[format];
  if (!xml.endsWith(close + end))
    throw createShapeError(
      `the ${count}-item ${format} document does not end with ${JSON.stringify(close + end)}`,
    );
  const starts: number[] = [];
  for (let at = xml.indexOf(open); at !== -1; at = xml.indexOf(open, at + open.length))
    if (starts.push(at) > count) return undefined;
  if (starts.length < count)
    throw createShapeError(
      `${starts.length} ${JSON.stringify(open)} in the ${count}-item ${format} document`,
    );
  starts.push(xml.length - end.length);
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const item = xml.slice(starts[i], starts[i + 1]);
    if (!item.endsWith(close))
      throw createShapeError(
        `item ${i + 1} of the ${count}-item ${format} document does not end with ${JSON.stringify(close)}`,
      );
    items.push(item);
  }
  return items;
}

/** Splits an item-less `format` document before the closing tags that must end it, where items go. */
export function splitFrame(xml: string, format: FeedFormat): { head: string; tail: string } {
  const { close, end } = FEED_SHAPES[format];
  if (!xml.endsWith(end))
    throw createShapeError(
      `the item-less ${format} document does not end with ${JSON.stringify(end)}`,
    );
  const head = xml.slice(0, xml.length - end.length);
  if (head.includes(close)) throw createShapeError(`the item-less ${format} document has an item`);
  return { head, tail: end };
}

/** Adds attributes to the start tag `tag` that `xml` must begin with. */
function addAttributes(
  xml: string,
  tag: string,
  format: FeedFormat,
  attributes: StartTagAttributes = {},
): string {
  if (!xml.startsWith(tag))
    throw createShapeError(`the ${format} text does not begin with ${JSON.stringify(tag)}`);
  const added = Object.entries(attributes).map(
    ([name, value]) => ` ${name}="${escapeHtml(value)}"`,
  );
  return added.length === 0 ? xml : `${tag.slice(0, -1)}${added.join('')}>${xml.slice(tag.length)}`;
}

/** An internal error for feed output that breaks a precondition of this module. */
function createShapeError(problem: string): Error {
  return new Error(
    `internal error: feed's output is not as src/render/safe-feed.ts expects: ${problem}`,
  );
}
