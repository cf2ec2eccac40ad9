import type { Author } from '../site/types.ts';
import { parseDateValue } from './dates.ts';
import type { FrontMatterField } from './front-matter.ts';
import { findMarkup } from './plain-text.ts';
import type { Report } from './problem.ts';

// Each reader takes a front-matter field (undefined when the key is absent), reports what is
// wrong with it under its name, and returns its value, or undefined when there is none to use.

/** Reads non-empty text (a YAML string or number), trimmed. */
export function readString(
  entry: FrontMatterField | undefined,
  name: string,
  report: Report,
): string | undefined {
  if (!entry) return undefined;
  if (typeof entry.value === 'string' || typeof entry.value === 'number') {
    const value = String(entry.value).trim();
    if (value !== '') return value;
  }
  report(entry.line, name, 'expected non-empty text');
  return undefined;
}

/** Reads `true` or `false`. */
export function readBoolean(
  entry: FrontMatterField | undefined,
  name: string,
  report: Report,
): boolean | undefined {
  if (!entry) return undefined;
  if (typeof entry.value === 'boolean') return entry.value;
  report(entry.line, name, 'expected true or false');
  return undefined;
}

/** Reads a date (see parseDateValue) as an instant; date-only values are read in `timeZone`. */
export function readDate(
  entry: FrontMatterField,
  name: string,
  timeZone: string,
  report: Report,
): number | undefined {
  if (typeof entry.value !== 'string') {
    report(entry.line, name, `expected a date like 2023-09-25, got ${toJson(entry.value)}`);
    return undefined;
  }
  const result = parseDateValue(entry.value, timeZone);
  if (!result.ok) {
    report(entry.line, name, result.problem);
    return undefined;
  }
  return result.value;
}

/** Reads an absolute http(s) URL, normalised as `URL.href` writes it. */
export function readUrl(
  entry: FrontMatterField | undefined,
  name: string,
  report: Report,
): string | undefined {
  const value = readString(entry, name, report);
  if (value === undefined || !entry) return undefined;
  if (!isAbsoluteHttpUrl(value)) {
    report(
      entry.line,
      name,
      `expected an absolute http(s) URL such as "https://example.com/x", got ${JSON.stringify(value)}`,
    );
    return undefined;
  }
  return new URL(value).href;
}

/** Reads `authors`: a name, a list of names, or a list of `{ name, url, email }`. */
export function readAuthors(
  entry: FrontMatterField | undefined,
  report: Report,
): Author[] | undefined {
  if (!entry) return undefined;
  const values: unknown[] = Array.isArray(entry.value) ? entry.value : [entry.value];
  const authors: Author[] = [];
  for (const value of values) {
    if (typeof value === 'string' && value.trim() !== '') {
      authors.push({ name: value.trim() });
    } else if (
      value &&
      typeof value === 'object' &&
      typeof (value as { name?: unknown }).name === 'string'
    ) {
      const { name, url, email } = value as { name: string; url?: unknown; email?: unknown };
      const author: Author = { name: name.trim() };
      if (url !== undefined) {
        if (typeof url === 'string' && isAbsoluteHttpUrl(url)) author.url = new URL(url).href;
        else
          report(
            entry.line,
            'authors',
            `author url must be an absolute http(s) URL, got ${toJson(url)}`,
          );
      }
      if (email !== undefined) {
        if (typeof email === 'string' && /^[^\s@<>]+@[^\s@<>]+$/.test(email)) author.email = email;
        else report(entry.line, 'authors', `author email is not an address: ${toJson(email)}`);
      }
      authors.push(author);
    } else {
      report(
        entry.line,
        'authors',
        'expected a name, a list of names, or a list of `{ name, url, email }`',
      );
      return undefined;
    }
  }
  return authors.length > 0 ? authors : undefined;
}

/** Reads `tags`: a name or a list of names, each once, in order. */
export function readTags(entry: FrontMatterField | undefined, report: Report): string[] {
  if (!entry) return [];
  const values: unknown[] = Array.isArray(entry.value) ? entry.value : [entry.value];
  const tags: string[] = [];
  for (const value of values) {
    if ((typeof value !== 'string' && typeof value !== 'number') || String(value).trim() === '') {
      report(entry.line, 'tags', 'expected a list of non-empty names, such as [politics, russia]');
      return [];
    }
    const tag = String(value).trim();
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

/**
 * Reports text that readers taking the field as HTML would not show as typed (see findMarkup):
 * titles, author names and tag names are plain text in every format, and RSS readers disagree
 * on whether their elements hold HTML. `what` names the field in the plural for the message.
 */
export function checkPlainText(
  text: string,
  line: number,
  field: string,
  what: string,
  report: Report,
): void {
  const markup = findMarkup(text, what);
  if (!markup) return;
  const address = field === 'authors' && /^<[^\s@<>]+@[^\s@<>]+>$/.test(markup.snippet);
  report(
    line,
    field,
    address ? `${markup.message}, as \`email\` of \`{ name, email }\`` : markup.message,
  );
}

/**
 * A front-matter value as JSON, for a message. Aliases can make a list that holds itself, which
 * JSON cannot write, or one that holds another many times over (`&a [x, x]`, `&b [*a, *a]`, …),
 * too long to write out: either is named by its kind instead.
 */
function toJson(value: unknown): string {
  let valuesLeft = 1000;
  try {
    return JSON.stringify(value, (_key, item: unknown) => {
      if (--valuesLeft < 0) throw new RangeError('too long to write out');
      return item;
    });
  } catch {
    return Array.isArray(value) ? 'a list' : 'a mapping';
  }
}

/** Whether `value` is an absolute URL with an http or https scheme, written out in full. */
export function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && /^https?:\/\//i.test(value.trim())
    );
  } catch {
    return false;
  }
}
