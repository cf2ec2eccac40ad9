// marked tries its GFM table rule at the start of every block, and on a paragraph (one long
// line) the rule's `.*` runs to the line's end and then backs off one character at a time:
// about a twentieth of an article's lex. A table's second line must begin as a delimiter row,
// which one look at that line tells; only then is the rule run.

const SPACE = 0x20;
const PIPE = 0x7c;
const COLON = 0x3a;
const DASH = 0x2d;

/**
 * Whether marked's GFM table rule (marked 18.2.1, src/rules.ts `gfmTable`:
 * `^ *([^\n ].*)\n {0,3}((?:\| *)?:?-+…`) could match `src`: the text after its first line
 * break starts with at most three spaces, then `|` and any spaces or not, then `:` or not,
 * then `-`. The rule's first line cannot hold a line break, so its `\n` is the first one; and
 * none of `|`, `:` and `-` is a space, so no shorter run of spaces could do instead. False
 * means the rule does not match; true, that it may.
 */
export function mayStartTable(src: string): boolean {
  let at = src.indexOf('\n') + 1;
  if (at === 0) return false;
  for (let spaces = 0; spaces < 3 && src.charCodeAt(at) === SPACE; spaces++) at++;
  if (src.charCodeAt(at) === PIPE) {
    at++;
    while (src.charCodeAt(at) === SPACE) at++;
  }
  if (src.charCodeAt(at) === COLON) at++;
  return src.charCodeAt(at) === DASH;
}

/**
 * A `tokenizer` override for a GFM Marked: no table where none can start, and otherwise
 * marked's own table tokenizer (an override's `false` hands the source to it).
 */
export function table(src: string): false | undefined {
  return mayStartTable(src) ? false : undefined;
}
