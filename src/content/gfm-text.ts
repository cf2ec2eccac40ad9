import { Tokenizer, type Tokens } from 'marked';

// marked's GFM rule for a run of inline text was a sixth of an article's parse: a lazy
// `[\s\S]*?` that tries every way a text run can end at every character. FAST_GFM_TEXT matches
// exactly what it matches, stepping over most letters with one test each.

/** Characters of an e-mail address's local part, as marked's rule spells them. */
const EMAIL = "a-zA-Z0-9.!#$%&'*+\\/=?_`{\\|}~-";

/**
 * Where a text run ends, tried at each character (marked 18.2.1, src/rules.ts `inlineGfm.text`):
 * before a character that may start other markup, `_` after a word character, `http`, `ftp://`
 * or `www.` where an autolink may start, or the end; or after a character followed by a hard
 * line break's spaces, or by `mailto:`/`xmpp:`, or by what may be an e-mail address.
 */
const STOP = `(?=[\\\\<!\\[\`*~_]|\\b_|[hH][tT][tT][pP][sS]?|[fF][tT][pP]:\\/\\/|(?<![^\\s*_~(])www\\.|$)|[^ ](?= {2,}\\n)|[^a-zA-Z0-9](?=(?:mailto|xmpp):)|[^${EMAIL}](?=[${EMAIL}]+@)`;

/** The rule's start: a run of backticks or tildes, or any other one character, and what may end the run right there. */
const START = `^(?:[^a-zA-Z0-9](?=(?:mailto|xmpp):)|(\`+|~+|[^\`~])(?:(?=[\`~])|(?= {2,}\\n)|(?=[${EMAIL}]+@)|`;

/** marked's rule as these parts compose it; test/node/content/gfm-text.test.ts checks that marked's is still this. */
export const GFM_TEXT_SOURCE = `${START}[\\s\\S]*?(?:${STOP})))`;

/**
 * The same language. marked's lazy loop ends at the first character where STOP matches. Here a
 * greedy loop steps over characters where it cannot, so it halts at that same first one, where
 * STOP then matches as it did: never backtracking, since STOP matches at least at the end. A
 * letter or digit other than `h`, `H`, `f`, `F` and `w` starts no markup, and is in the e-mail
 * set, so STOP can match on it only before two spaces (a hard break): such a run is taken in
 * one step. At a space, STOP can match only before `mailto:`, `xmpp:` or an e-mail address: a
 * space followed by letters and digits and then by a character that is neither `:`, `@` nor
 * another e-mail character is before none of them, and is taken in one step too (a sixth of
 * the text is spaces). Any other character is stepped over only where STOP does not match.
 */
export const FAST_GFM_TEXT = new RegExp(
  `${START}(?:[a-egi-vx-zA-EGI-Z0-9]+(?!  )| (?=[a-zA-Z0-9]+[^:@${EMAIL}])|(?!${STOP})[\\s\\S])*(?:${STOP})))`,
);

const stockInlineText = Tokenizer.prototype.inlineText;

/** marked's own text tokenizer (its token, its decoding of references), run with FAST_GFM_TEXT for the rule: a `tokenizer` override for a GFM Marked. */
export function inlineText(this: Tokenizer, src: string): Tokens.Text | undefined {
  return stockInlineText.call(
    { rules: { inline: { text: FAST_GFM_TEXT } }, lexer: this.lexer } as unknown as Tokenizer,
    src,
  );
}
