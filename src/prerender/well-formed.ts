import { SaxesParser } from 'saxes';

/** Binds the prefixes RSS and Atom items use, so that an item can be checked on its own. */
const FRAGMENT_ROOT =
  '<root xmlns="http://www.w3.org/2005/Atom" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">';

/**
 * Guards the wrapper around feed: XML that a strict, namespace-aware XML 1.0 parser refuses
 * (saxes, as jsdom uses; much faster than a DOM parser, see BENCHMARKS.md) is never written.
 * `fragment`: an RSS item or an Atom entry rather than a whole document.
 * @throws Error naming the format and the parser's complaint.
 */
export function assertWellFormed(xml: string, format: string, fragment = false): void {
  let problem: Error | undefined;
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => {
    problem ??= error;
  });
  parser.write(fragment ? `${FRAGMENT_ROOT}${xml}</root>` : xml).close();
  if (problem)
    throw new Error(`internal error: ${format} output is not well-formed XML: ${problem.message}`);
}
