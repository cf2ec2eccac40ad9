import { decodeHTML } from 'entities';

/** Text in a plain-text field that an HTML reader would not show as typed. */
export interface Markup {
  /** The offending text, as the author wrote it (shortened when long). */
  snippet: string;
  /** Why it is a problem and how to write it instead, to follow `field: `. */
  message: string;
}

/** Longest snippet quoted in a message. */
const SNIPPET_MAX = 40;

/**
 * Finds the first piece of `text` that a reader taking the field as HTML would read as markup,
 * while a reader taking it as text shows it as typed. RSS 2.0 never says whether `<title>`,
 * `<category>` or `<dc:creator>` hold HTML, and readers disagree (RSS Profile, "Character
 * Data"), so such text cannot be published in a way every reader shows the same. What an HTML
 * parser reads as markup in text (WHATWG HTML §13.2.5.1 data state, §13.2.5.6 tag open state,
 * §13.2.5.72 character reference state): `<` followed by an ASCII letter (a tag), `/` (an end
 * tag), `!` or `?` (a comment or declaration); `&` that begins a character reference it decodes
 * (`&amp;`, `&#39;`, `&#x26;`, and the legacy names it decodes without `;`, such as `&copy`).
 * `&#` followed by a word character counts too: feedparser then takes an RSS title for HTML.
 * Everything else stays text for both kinds of reader: `AT&T`, `a < b`, `I <3 NY`, `5 > 3`.
 * `what` names the field in the plural for the message ("titles", "tag names").
 */
export function findMarkup(text: string, what: string): Markup | undefined {
  const tag = /<[A-Za-z/!?]/.exec(text);
  const reference = findReference(text);
  if (tag && (!reference || tag.index < reference.index))
    return describeTag(text.slice(tag.index), what);
  if (reference) return describeReference(reference.snippet, reference.decoded, what);
  return undefined;
}

function findReference(
  text: string,
): { index: number; snippet: string; decoded?: string } | undefined {
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    const next = text.indexOf('&', at + 1);
    const segment = text.slice(at, next === -1 ? undefined : next);
    const decoded = decodeHTML(segment);
    if (decoded !== segment) {
      // The reference is the shortest start of the segment that decodes to what the whole did.
      for (let length = 2; length <= segment.length; length++) {
        const head = decodeHTML(segment.slice(0, length));
        if (head + segment.slice(length) === decoded)
          return { index: at, snippet: segment.slice(0, length), decoded: head };
      }
    }
    const numeric = /^&#\w+;?/.exec(segment);
    if (numeric) return { index: at, snippet: numeric[0] };
  }
  return undefined;
}

function describeTag(rest: string, what: string): Markup {
  const end = rest.indexOf('>');
  const snippet = shorten(end === -1 ? (/^\S+/.exec(rest)?.[0] ?? rest) : rest.slice(0, end + 1));
  const name = /^<\/?([A-Za-z][\w-]*)/.exec(rest)?.[1];
  const kind =
    name === undefined
      ? 'the start of an HTML comment'
      : rest[1] === '/'
        ? 'an HTML end tag'
        : 'an HTML tag';
  const address = /^<[^\s@<>]+@[^\s@<>]+>$/.test(snippet);
  const instead =
    name === undefined
      ? 'put a space after "<"'
      : address
        ? 'write the address without "<" and ">"'
        : `leave the tag out, or name it in quotes (“${name}”, «${name}»)`;
  return {
    snippet,
    message: `${JSON.stringify(snippet)} reads as ${kind} to feed readers that take ${what} as HTML, and as text to the others: ${what} are plain text, so ${instead}`,
  };
}

function describeReference(snippet: string, decoded: string | undefined, what: string): Markup {
  if (decoded === undefined) {
    return {
      snippet,
      message: `${JSON.stringify(snippet)} looks like an HTML character reference to some feed readers: ${what} are plain text, so put a space after "&"`,
    };
  }
  const shown = /^[^\s\p{C}]+$/u.test(decoded)
    ? JSON.stringify(decoded)
    : [...decoded]
        .map((c) => `U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`)
        .join(' ');
  return {
    snippet,
    message: `${JSON.stringify(snippet)} is an HTML character reference: readers that take ${what} as HTML show ${shown}, the others ${JSON.stringify(snippet)}; ${what} are plain text, so type ${shown} itself (the build escapes it for each format)`,
  };
}

function shorten(text: string): string {
  return text.length <= SNIPPET_MAX ? text : `${text.slice(0, SNIPPET_MAX - 1)}…`;
}
