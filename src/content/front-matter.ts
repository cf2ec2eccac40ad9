import { isMap, isScalar, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { stripXmlInvalid } from '../render/text.ts';
import type { Report } from './problem.ts';
import { suggestClosest } from './suggest.ts';

/** Front-matter keys an article may use; anything else is reported as a likely typo. */
export const FRONT_MATTER_KEYS = [
  'title',
  'date',
  'updated',
  'summary',
  'authors',
  'tags',
  'image',
  'lang',
  'original_url',
  'draft',
] as const;

/** One front-matter value: its YAML node and the line of its key. */
export interface FrontMatterField {
  node: YamlNode;
  line: number;
}

/** The YAML between the `---` fences and the line it starts on, if the file has any. */
export interface FrontMatterText {
  text: string;
  firstLine: number;
}

/** Splits a file's text into its front matter (between `---` and `---` or `...` lines) and the markdown body. */
export function splitFrontMatter(source: string): {
  frontMatter?: FrontMatterText;
  body: string;
  bodyFirstLine: number;
} {
  const lines = source.split('\n');
  if (lines[0]?.trimEnd() !== '---') return { body: source, bodyFirstLine: 1 };
  const end = lines.findIndex(
    (line, i) => i > 0 && (line.trimEnd() === '---' || line.trimEnd() === '...'),
  );
  if (end === -1) return { body: source, bodyFirstLine: 1 };
  return {
    frontMatter: { text: lines.slice(1, end).join('\n'), firstLine: 2 },
    body: lines.slice(end + 1).join('\n'),
    bodyFirstLine: end + 2,
  };
}

/**
 * Parses front matter as YAML into its known keys, each with the line of its key. Invalid
 * YAML, a document that is not a mapping and unknown keys (with a "did you mean" hint) are
 * reported; a key whose value is empty counts as absent.
 */
export function readFrontMatter(
  frontMatter: FrontMatterText | undefined,
  report: Report,
): Map<string, FrontMatterField> {
  const fields = new Map<string, FrontMatterField>();
  if (!frontMatter || frontMatter.text.trim() === '') return fields;
  const lineCounter = new LineCounter();
  const doc = parseDocument(frontMatter.text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const lineOf = (offset: number | undefined): number =>
    frontMatter.firstLine - 1 + (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    for (const error of doc.errors)
      report(lineOf(error.pos[0]), 'front matter', `invalid YAML: ${error.message.split('\n')[0]}`);
    return fields;
  }
  // YAML escapes (`"\u0001"`) can bring back characters the source text was cleaned of.
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string') node.value = stripXmlInvalid(node.value);
    },
  });
  if (!isMap(doc.contents)) {
    report(
      frontMatter.firstLine,
      'front matter',
      'expected `key: value` lines between the `---` fences',
    );
    return fields;
  }
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const line = lineOf(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
      const hint = suggestClosest(key, FRONT_MATTER_KEYS);
      // A key that is not a plain word would break the `file:line: field: problem` shape.
      const plainKey = /^[\w-]+$/.test(key);
      report(
        line,
        plainKey ? key : 'front matter',
        `unknown key${plainKey ? '' : ` ${JSON.stringify(key)}`}${hint ? `; did you mean \`${hint}\`?` : ''} (known keys: ${FRONT_MATTER_KEYS.join(', ')})`,
      );
      continue;
    }
    if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
    fields.set(key, { node: pair.value as YamlNode, line });
  }
  return fields;
}
