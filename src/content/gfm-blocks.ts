// marked tries its GFM table and setext-heading rules at the start of every block, before the
// paragraph rule, and on a paragraph both are costly: the table rule's `.*` runs to the end of
// the first line and backs off one character at a time; the heading rule's lazy `(?:.|\n…)+?`
// tries for an underline after every character. Together about a tenth of an article's lex.
// Each needs a line of a particular start that one look tells; only then is the rule run.

const SPACE = 0x20;
const PIPE = 0x7c;
const COLON = 0x3a;
const DASH = 0x2d;
const EQUALS = 0x3d;

/** The index after at most three spaces from `at`, as the rules' ` {0,3}` take them. */
function afterIndent(src: string, at: number): number {
  let end = at;
  while (end < at + 3 && src.charCodeAt(end) === SPACE) end++;
  return end;
}

/**
 * Whether marked's GFM table rule (marked 18.2.1, src/rules.ts `gfmTable`:
 * `^ *([^\n ].*)\n {0,3}((?:\| *)?:?-+…`) could match `src`: the text after its first line
 * break starts with at most three spaces, then `|` and any spaces or not, then `:` or not,
 * then `-`. The rule's first line cannot hold a line break, so its `\n` is the first one; and
 * none of `|`, `:` and `-` is a space, so no shorter run of spaces could do instead. False
 * means the rule does not match; true, that it may.
 */
export function mayStartTable(src: string): boolean {
  const lineBreak = src.indexOf('\n');
  if (lineBreak === -1) return false;
  let at = afterIndent(src, lineBreak + 1);
  if (src.charCodeAt(at) === PIPE) {
    at++;
    while (src.charCodeAt(at) === SPACE) at++;
  }
  if (src.charCodeAt(at) === COLON) at++;
  return src.charCodeAt(at) === DASH;
}

/**
 * Whether marked's GFM setext-heading rule (marked 18.2.1, src/rules.ts `lheadingGfm`:
 * `^(?!…)((?:.|\n(?!\s*?\n|…))+?)\n {0,3}(=+|-+)[ \t]*(?:\n+|$)`) could match `src`: a line
 * break followed by at most three spaces and `=` or `-`, before the first blank line (`\n\n`).
 * The heading's text takes `\n` only where no blank line follows, so it holds no `\n\n`, and its
 * underline starts right after it; no shorter run of spaces could do, `=` and `-` not being
 * spaces. False means the rule does not match; true, that it may.
 */
export function mayStartSetextHeading(src: string): boolean {
  const blank = src.indexOf('\n\n');
  const end = blank === -1 ? src.length : blank;
  for (let at = src.indexOf('\n'); at !== -1 && at < end; at = src.indexOf('\n', at + 1)) {
    const mark = src.charCodeAt(afterIndent(src, at + 1));
    if (mark === EQUALS || mark === DASH) return true;
  }
  return false;
}

// `tokenizer` overrides for a GFM Marked: no token where none can start, and otherwise marked's
// own tokenizer (an override's `false` hands the source to it).

export function table(src: string): false | undefined {
  return mayStartTable(src) ? false : undefined;
}

export function lheading(src: string): false | undefined {
  return mayStartSetextHeading(src) ? false : undefined;
}
