import { isScalar, isSeq, type Node as YamlNode } from 'yaml';
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
  if (
    isScalar(entry.node) &&
    (typeof entry.node.value === 'string' || typeof entry.node.value === 'number')
  ) {
    const value = String(entry.node.value).trim();
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
  if (isScalar(entry.node) && typeof entry.node.value === 'boolean') return entry.node.value;
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
  const raw = isScalar(entry.node) ? entry.node.value : undefined;
  if (typeof raw !== 'string') {
    report(
      entry.line,
      name,
      `expected a date like 2023-09-25, got ${JSON.stringify(raw ?? entry.node.toJSON())}`,
    );
    return undefined;
  }
  const result = parseDateValue(raw, timeZone);
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
  const items = isSeq(entry.node) ? entry.node.items : [entry.node];
  const authors: Author[] = [];
  for (const item of items) {
    const value = (item as YamlNode).toJSON() as unknown;
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
            `author url must be an absolute http(s) URL, got ${JSON.stringify(url)}`,
          );
      }
      if (email !== undefined) {
        if (typeof email === 'string' && /^[^\s@<>]+@[^\s@<>]+$/.test(email)) author.email = email;
        else
          report(entry.line, 'authors', `author email is not an address: ${JSON.stringify(email)}`);
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
  const values = isSeq(entry.node)
    ? entry.node.items.map((item) => (item as YamlNode).toJSON() as unknown)
    : [entry.node.toJSON() as unknown];
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
