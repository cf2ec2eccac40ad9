import { CORE_SCHEMA, type EventType, load, type State, YAMLException } from 'js-yaml';
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

/**
 * One front-matter value, as YAML 1.2's core schema reads it (a string, number, boolean, array
 * or plain object; never null), and the line of its key.
 */
export interface FrontMatterField {
  value: unknown;
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
  const { text, firstLine } = frontMatter;
  const tree = new NodeTree();
  let root: unknown;
  try {
    // The core schema keeps `date: 2023-09-25` and `yes` as text, as YAML 1.2 reads them.
    root = load(text, { schema: CORE_SCHEMA, listener: tree.listener });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    report(
      firstLine + errorLine(error, tree, text),
      'front matter',
      `invalid YAML: ${error.reason}`,
    );
    return fields;
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    report(firstLine, 'front matter', 'expected `key: value` lines between the `---` fences');
    return fields;
  }
  const seen = new Set<object>();
  for (const { key, line: keyLine } of mappingKeys(tree, root, text)) {
    const line = firstLine + keyLine;
    // A key that is a list or a mapping is no name: reported as the empty key.
    const isScalarKey = typeof key !== 'object' || key === null;
    // YAML escapes (`"\u0001"`) can bring back characters the source text was cleaned of.
    const name = isScalarKey ? stripXmlInvalid(String(key)) : '';
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(name)) {
      const hint = suggestClosest(name, FRONT_MATTER_KEYS);
      // A key that is not a plain word would break the `file:line: field: problem` shape.
      const plainKey = /^[\w-]+$/.test(name);
      report(
        line,
        plainKey ? name : 'front matter',
        `unknown key${plainKey ? '' : ` ${JSON.stringify(name)}`}${hint ? `; did you mean \`${hint}\`?` : ''} (known keys: ${FRONT_MATTER_KEYS.join(', ')})`,
      );
      continue;
    }
    // js-yaml names each key of the mapping it builds with String(key).
    const value = (root as Record<string, unknown>)[String(key)];
    if (value === null || value === undefined) continue;
    fields.set(name, { value: stripStrings(value, seen), line });
  }
  return fields;
}

/** A node js-yaml read: its first line (0-based, in the text), where it starts and ends, its value. */
interface ReadNode {
  line: number;
  start: number;
  end: number;
  value: unknown;
  /** The nodes in it, for the top three levels. */
  children: ReadNode[];
}

/**
 * The top levels of the nodes js-yaml reads, from its parse events: its `listener` is told
 * when each node opens (at its first character, a quote or `&anchor` included; for a value in
 * a block mapping, right after the `:` before it, and for a `? key`, right after the `?`) and
 * closes, with the parser's line and position then, and on closing, the node's value.
 */
class NodeTree {
  /** The root node of each document. */
  readonly roots: ReadNode[] = [];
  readonly #open: ReadNode[] = [];
  #depth = 0;

  readonly listener = (event: EventType, state: State): void => {
    if (event === 'open') {
      // Three levels: a flow mapping at the top has its keys on the third (see mappingKeys).
      if (++this.#depth > 3) return;
      const node: ReadNode = {
        line: state.line,
        start: state.position,
        end: -1,
        value: undefined,
        children: [],
      };
      (this.#open.at(-1)?.children ?? this.roots).push(node);
      this.#open.push(node);
    } else if (this.#depth-- <= 3) {
      const node = this.#open.pop();
      if (node) {
        node.end = state.position;
        node.value = state.result;
      }
    }
  };
}

/** The keys of `mapping`, the document's root, in the order they are written, each with its line. */
function mappingKeys(
  tree: NodeTree,
  mapping: object,
  text: string,
): { key: unknown; line: number }[] {
  let node = tree.roots[0];
  // js-yaml reads a flow mapping at the top (`{title: x}`) as the first key of a block mapping,
  // then keeps it as the document when no `:` follows: its keys are one level down.
  const only = node?.children.length === 1 ? node.children[0] : undefined;
  if (only?.value === mapping) node = only;
  const keys: { key: unknown; line: number }[] = [];
  for (const [i, child] of (node?.children ?? []).entries()) {
    const previous = node?.children[i - 1];
    // Keys and values are both nodes in the mapping, and a key may have no value (`{a, b: c}`,
    // `? a`): a value is told by the `:` between it and the node before it. Between two nodes
    // js-yaml passes over only that `:`, the `,` and `?` indicators, spaces, line breaks and
    // comments (where a `:` is no indicator).
    if (previous && text.slice(previous.end, child.start).replace(/#.*/g, '').includes(':'))
      continue;
    keys.push({ key: child.value, line: child.line });
  }
  return keys;
}

/** The line (0-based, in the text) that an error of js-yaml's is about. */
function errorLine(error: YAMLException, tree: NodeTree, text: string): number {
  // js-yaml ends the text with a line break of its own, so an unclosed quote or bracket is
  // placed past the last line: that line is the one to look at.
  if (error.mark) return Math.min(error.mark.line, text.split('\n').length - 1);
  // Only "more than one document" comes without a mark: the line of the `---` (or `...`) that
  // starts the second, the first line of that kind after the first document's root.
  const end = tree.roots[0]?.end ?? 0;
  const marker = text.slice(end).search(/^(?:---|\.\.\.)(?![^\s])/m);
  return marker === -1 ? 0 : text.slice(0, end + marker).split('\n').length - 1;
}

/**
 * Drops XML-invalid characters from every string in a parsed YAML value, mapping keys
 * included, in place. `seen` holds the lists and mappings already cleaned: an alias is the
 * same object again, and may even hold itself (`&a [*a]`).
 */
function stripStrings(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'string') return stripXmlInvalid(value);
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) value[i] = stripStrings(item, seen);
    return value;
  }
  const mapping = value as Record<string, unknown>;
  for (const key of Object.keys(mapping)) {
    const item = stripStrings(mapping[key], seen);
    const clean = stripXmlInvalid(key);
    if (clean === key) {
      mapping[key] = item;
    } else {
      delete mapping[key];
      // Defined, not assigned: a key that becomes `__proto__` must not set the prototype.
      Object.defineProperty(mapping, clean, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return value;
}
