// Property-based tests: whatever an author writes, the build either refuses it with located
// messages or publishes feeds that strict parsers read, with titles intact and ids unique.
// A failure prints fast-check's seed and path; replay it with FC_SEED=… FC_PATH=… and scale the
// run with FC_RUNS=… (e.g. `FC_RUNS=20000 npx vitest run test/node/prerender/property.test.ts`).
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { decodeHTML } from 'entities';
import fc from 'fast-check';
import { parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { FRONT_MATTER_KEYS } from '../../../src/content/front-matter.ts';
import { buildAndServe, type RawArticleFile } from '../../support/serve-fixture.ts';

/** After every date the generators produce, so that nothing is scheduled. */
const NOW = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const SITE_ID = 'tag:news.example,2026:';
const ATOM_NS = 'http://www.w3.org/2005/Atom';
/** `file:line: field: problem`, as the build prints every article problem. */
const MESSAGE = /^articles\/[^:]+:\d+: [^:]+: .+/s;
const XML_INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 §2.2 forbids these C0 controls; finding them is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Runs of the main property: about 6 s alone on a 2-core machine (11 s beside the other test
 * files), so that `npm test` stays under a minute; each run draws a new seed, so runs add up
 * across test runs. FC_RUNS changes it (2,000 took about 27 s).
 */
const RUNS = Number(process.env.FC_RUNS ?? 400);

/** fast-check parameters; FC_SEED and FC_PATH replay a reported failure. */
function runParameters(numRuns: number): fc.Parameters<unknown> {
  const parameters: fc.Parameters<unknown> = { numRuns };
  if (process.env.FC_SEED) parameters.seed = Number(process.env.FC_SEED);
  if (process.env.FC_PATH) parameters.path = process.env.FC_PATH;
  return parameters;
}

// ---- text: every kind of character that has broken a feed somewhere

const NASTY_PIECES = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u001B',
  '\u001F',
  '\u007F',
  '\u0085',
  '\u009F',
  '\uFFFE',
  '\uFFFF',
  '\uFEFF',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uD83E',
  '\uDD8A',
  ']]>',
  ']]]]><![CDATA[>',
  '<![CDATA[',
  '--',
  '<!--',
  '-->',
  '---',
  '...',
  '\u200F',
  '\u200E',
  '\u202E',
  '\u202C',
  '\u2066',
  '\u2069',
  'e\u0301',
  '\u0301',
  'a\u0308\u0308\u0308',
  '\u200D',
  '&',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x1;',
  '&#xD800;',
  '&#x10FFFF;',
  '&nbsp',
  '&bogus;',
  '<',
  '>',
  '"',
  "'",
  '`',
  '\\',
  '\r',
  '\r\n',
  '\n',
  '\t',
  '\u2028',
  '\u2029',
  '\u00A0',
  '\u3000',
  '🦊',
  '🏳️‍🌈',
  '👩🏽‍💻',
  '𝔘𝔫𝔦',
  'ﷺ',
  'שלום',
  'مرحبا',
  'Привет',
  '中文',
  '%s',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: hostile text that looks like a template placeholder
  '${x}',
  '{{x}}',
  '</title>',
  '</script>',
  '<b>',
];

/** One UTF-16 code unit of any value: lone surrogates and C0 controls included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const nastyText = fc
  .array(
    fc.oneof(
      { arbitrary: fc.constantFrom(...NASTY_PIECES), weight: 4 },
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }), weight: 3 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 2 },
      { arbitrary: fc.string({ unit: codeUnit, maxLength: 4 }), weight: 1 },
      { arbitrary: fc.constantFrom('word', 'Two words', 'news', ' '), weight: 3 },
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((parts) => parts.join(''));

/** Text that survives cleaning with something visible, for titles that must be non-empty. */
const anyTitleText = fc
  .tuple(fc.constantFrom('Title', 'Breaking', 'Ünïcödé', '標題', 'عنوان', '🦊'), nastyText)
  .map(([word, rest]) => `${word} ${rest}`);
/**
 * Mostly text that no HTML reader takes for markup (a space after every `<` and `&`, so they
 * stay in, as text), else anything: the build refuses markup in titles, names and tags, and
 * the property checks that it does exactly then.
 */
const titleText = fc.oneof(
  { arbitrary: anyTitleText.map((t) => t.replace(/[<&]/g, '$& ')), weight: 4 },
  { arbitrary: anyTitleText, weight: 1 },
);

/**
 * Whether an HTML parser (parse5, WHATWG) reads `text` as that same text: no tag, comment or
 * character reference in it. What the build publishes in a title, author name or tag must be,
 * since RSS readers differ on whether those hold HTML. CR is LF to both (XML 1.0 §2.11, HTML
 * §13.2.3.5), and the build drops XML-invalid characters and trims first.
 */
function readsAsText(raw: string): boolean {
  const text = raw.replace(XML_INVALID, '').trim().replace(/\r\n?/g, '\n');
  if (text === '') return true;
  const nodes = parseFragment(text).childNodes;
  return (
    nodes.length === 1 &&
    nodes[0]?.nodeName === '#text' &&
    'value' in nodes[0] &&
    nodes[0].value === text
  );
}

// ---- markdown: raw HTML, deep nesting, links with odd schemes

const SCHEMES = [
  'https://ok.example/',
  'http://ok.example/a?b=c&d=e',
  'mailto:desk@news.example',
  'tel:+1-555-0100',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'jav&#x09;ascript:alert(1)',
  'java\tscript:alert(1)',
  'javascript&colon;alert(1)',
  '&#106;avascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'DATA:image/svg+xml;base64,PHN2Zz4=',
  'vbscript:msgbox(1)',
  'VBScript:x',
  'file:///etc/passwd',
  'ftp://ftp.example/x',
  'about:blank',
  'blob:https://x/1',
  'chrome://settings',
  '//evil.example/x',
  '../relative',
  './same',
  '/rooted',
  '?query',
  '#',
  '#frag',
  '',
  ' ',
  'x:y',
  'web+foo:bar',
  'https://ok.example/<>"\'',
  'https://user:pass@ok.example/',
  'https://ok.example/%00%zz',
  'https://[::1]/',
  'https://ok.example/\u202Eevil',
];
const url = fc.oneof(
  fc.constantFrom(...SCHEMES),
  fc.tuple(fc.constantFrom(...SCHEMES), nastyText).map(([a, b]) => a + b),
);

const RAW_HTML = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<script>/*',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>">',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<svg onload=alert(1)><circle/></svg>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="  JAVASCRIPT:alert(1)">spaces</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<a href=javascript:alert(1)>bare</a>',
  '<a onclick="alert(1)" href="https://ok.example/">click</a>',
  '<div style="background:url(javascript:alert(1))">styled</div>',
  '<object data="x.swf"></object>',
  '<embed src="x.swf">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:/">',
  '<details open ontoggle=alert(1)><summary>s</summary>d</details>',
  '<p title="]]>">title</p>',
  '<b><i>unclosed',
  '</div></div></p>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<!-- a -- b -->',
  '<![CDATA[ x ]]>',
  '<table><tr><td colspan=99999>cell</td></tr></table>',
  '<img src="https://ok.example/i.png" width="1" height="1" alt="ok">',
  '<a href="https://ok.example/">ok</a>',
  '<x-custom onfocus=alert(1)>custom</x-custom>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<textarea><script>alert(1)</script></textarea>',
  '<plaintext>',
  '<xmp><script>alert(1)</script></xmp>',
  '<template><script>alert(1)</script></template>',
];

const inline = fc.oneof(
  { arbitrary: nastyText, weight: 5 },
  { arbitrary: fc.tuple(nastyText, url).map(([t, u]) => `[${t}](${u})`), weight: 3 },
  { arbitrary: fc.tuple(nastyText, url).map(([t, u]) => `![${t}](${u})`), weight: 1 },
  { arbitrary: url.map((u) => `<${u}>`), weight: 1 },
  { arbitrary: fc.constantFrom(...RAW_HTML), weight: 2 },
  { arbitrary: nastyText.map((t) => `*${t}* **${t}** \`${t}\` ~~${t}~~`), weight: 1 },
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('*', '_', '[', '(', '<', '`', '~', '\\'),
        fc.integer({ min: 1, max: 200 }),
      )
      .map(([c, n]) => c.repeat(n)),
    weight: 1,
  },
);
const line = fc.array(inline, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(' '));

const indent = (text: string, prefix: string): string =>
  text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
const blocks = fc.letrec<{ block: string; quote: string; list: string }>((tie) => ({
  block: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    { arbitrary: line, weight: 6 },
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 7 }), line)
        .map(([n, t]) => `${'#'.repeat(n)} ${t}`),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('```', '~~~', '    '), nastyText)
        .map(([f, t]) => (f.trim() === '' ? indent(t, f) : `${f}js\n${t}\n${f}`)),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(...RAW_HTML).map((h) => `${h}\n`), weight: 2 },
    {
      arbitrary: fc.tuple(line, line).map(([a, b]) => `| ${a} | b |\n| --- | :-: |\n| ${b} | x |`),
      weight: 1,
    },
    { arbitrary: fc.constantFrom('---', '***', '___', '- - -'), weight: 1 },
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom('>', '- ', '1. ', '  ', '<div>', '* > 1. '),
          fc.integer({ min: 1, max: 200 }),
        )
        .map(([p, n]) => `${p.repeat(n)} deep`),
      weight: 1,
    },
    {
      arbitrary: fc
        .integer({ min: 1, max: 300 })
        .map((n) => `${'<div>'.repeat(n)}nested${'</div>'.repeat(n)}`),
      weight: 1,
    },
    { arbitrary: tie('quote'), weight: 1 },
    { arbitrary: tie('list'), weight: 1 },
  ),
  quote: tie('block').map((b) => indent(b, '> ')),
  list: fc
    .tuple(
      fc.constantFrom('- ', '* ', '1. ', '- [ ] '),
      fc.array(tie('block'), { minLength: 1, maxLength: 3 }),
    )
    .map(([marker, items]) =>
      items
        .map((item) => marker + item.replace(/\n/g, `\n${' '.repeat(marker.length)}`))
        .join('\n'),
    ),
}));
const body = fc
  .array(blocks.block, { minLength: 1, maxLength: 5 })
  .map((parts) => parts.join('\n\n'));

// ---- front matter: values of every YAML shape, keys known, mistyped and unknown

const DATES = [
  '2024-03-01',
  '2024-03-01T10:00:00Z',
  '2024-03-01T10:00:00+14:00',
  '2024-03-01 09:30',
  '1970-01-01',
  '9999-12-31',
  '2024-02-29',
  '2023-02-29',
  '2024-02-30',
  '2024-13-01',
  '25/09/23',
  'yesterday',
  '0001-01-01',
  '10000-01-01',
  '2024-03-01T24:00:00Z',
  '1969-12-31T23:59:59Z',
];
const YAML_ODDITIES = [
  '',
  '~',
  'null',
  'true',
  'yes',
  '123',
  '1e3',
  '0x1F',
  '.nan',
  '[a, b]',
  '{a: 1}',
  '[]',
  '{}',
  '"unterminated',
  "'single ''quoted'''",
  '&anchor x',
  '*alias',
  '!!binary aGVsbG8=',
  '!custom x',
  '- list',
  '@reserved',
  '`tick',
  '%percent',
  'a: b: c',
  '|\n  literal\n  block',
  '>-\n  folded\n  block',
  '"\\u0000\\x01\\uD800\\U0001F98A"',
  '"\\e\\a\\0"',
  'x #comment',
  '"a\\',
  '? complex',
  '|',
  '>\n',
];
const quoted = (text: string): string => JSON.stringify(text);
const yamlValue = fc.oneof(
  { arbitrary: nastyText.map(quoted), weight: 3 },
  { arbitrary: fc.constantFrom(...YAML_ODDITIES), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), weight: 1 },
);
// Every key an article may use, and near misses and YAML oddities around them.
const KEYS = [
  ...FRONT_MATTER_KEYS,
  'titel',
  'Title',
  'dates',
  '"quoted key"',
  'x y',
  '? k',
  '[k]',
  'a:b',
];
const oddLine = fc.tuple(fc.constantFrom(...KEYS), yamlValue).map(([k, v]) => `${k}: ${v}`);

/** An article file and what the reader must see when the build takes it. */
interface GeneratedArticle {
  file: RawArticleFile;
  slug: string;
  /** The exact title, when the front matter states it as a quoted string. */
  title?: string;
  /** Whether the article is a draft; undefined when the front matter leaves it unclear. */
  draft?: boolean;
  /** Its title, author names and tag names, when the front matter states them as quoted strings. */
  plainText?: string[];
  /** Whether one of them would not read as text to an HTML parser; undefined when unknown. */
  markup?: boolean;
}

const SLUGS = ['a', 'b-2', 'long_slug-with-parts', 'x1', 'z'];
const slug = fc.constantFrom(...SLUGS);

/** Mostly valid: a quoted hostile title, a good date, optional fields, a hostile body. */
const wellFormedArticle = fc
  .record({
    slug,
    title: titleText,
    date: fc.constantFrom(
      '2024-03-01',
      '2024-03-01T10:00:00Z',
      '1970-01-01',
      '9999-12-31',
      '2024-02-29T23:59:59-11:00',
    ),
    summary: fc.option(nastyText, { nil: undefined }),
    tags: fc.option(fc.array(titleText, { maxLength: 3 }), { nil: undefined }),
    authors: fc.option(fc.array(titleText, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    draft: fc.option(fc.boolean(), { nil: undefined }),
    body,
    crlf: fc.boolean(),
    bom: fc.boolean(),
  })
  .map((a): GeneratedArticle => {
    const lines = [`title: ${quoted(a.title)}`, `date: ${quoted(a.date)}`];
    if (a.summary !== undefined) lines.push(`summary: ${quoted(a.summary)}`);
    if (a.tags !== undefined) lines.push(`tags: [${a.tags.map(quoted).join(', ')}]`);
    if (a.authors !== undefined) lines.push(`authors: [${a.authors.map(quoted).join(', ')}]`);
    if (a.draft !== undefined) lines.push(`draft: ${a.draft}`);
    let text = `---\n${lines.join('\n')}\n---\n${a.body}\n`;
    if (a.crlf) text = text.replace(/\n/g, '\r\n');
    if (a.bom) text = `\uFEFF${text}`;
    const plainText = [a.title, ...(a.tags ?? []), ...(a.authors ?? [])];
    return {
      file: { name: `${a.slug}.md`, content: text },
      slug: a.slug,
      title: a.title,
      draft: a.draft ?? false,
      plainText,
      markup: !plainText.every(readsAsText),
    };
  });

/** Anything goes: odd front matter, headings and prose dates, trailers, odd names and bytes. */
const edgeArticle = fc
  .record({
    name: fc.oneof(
      slug.map((s) => `${s}.md`),
      fc.constantFrom(
        'UPPER.md',
        'x.markdown',
        'with space.md',
        'dot.dot.md',
        'ü.md',
        '-lead.md',
        'a__b.md',
        '.md',
      ),
    ),
    frontMatter: fc.option(
      fc.array(
        fc.oneof(
          oddLine,
          fc.constantFrom(...DATES).map((d) => `date: ${d}`),
        ),
        { maxLength: 6 },
      ),
      { nil: undefined },
    ),
    heading: fc.option(line, { nil: undefined }),
    dateLine: fc.option(
      fc.constantFrom('September 25, 2023', '2023-09-25', '25 Sep 2023', 'Sept 31, 2023', ...DATES),
      { nil: undefined },
    ),
    body,
    trailer: fc.option(
      url.map((u) => `Original url:\n<${u}>`),
      { nil: undefined },
    ),
    bytes: fc.option(fc.uint8Array({ minLength: 1, maxLength: 8 }), { nil: undefined }),
  })
  .map((a): GeneratedArticle => {
    const parts: string[] = [];
    if (a.frontMatter !== undefined) parts.push(`---\n${a.frontMatter.join('\n')}\n---`);
    if (a.heading !== undefined) parts.push(`# ${a.heading}`);
    if (a.dateLine !== undefined) parts.push(a.dateLine);
    parts.push(a.body);
    if (a.trailer !== undefined) parts.push(a.trailer);
    const text = parts.join('\n\n');
    const content =
      a.bytes === undefined
        ? text
        : Buffer.concat([Buffer.from(text), a.bytes, Buffer.from('\nmore text\n')]);
    return {
      file: { name: a.name, content },
      slug: a.name.replace(/\.(md|markdown)$/i, '').toLowerCase(),
    };
  });

const site = fc.uniqueArray(
  fc.oneof({ arbitrary: wellFormedArticle, weight: 3 }, { arbitrary: edgeArticle, weight: 1 }),
  {
    selector: (a) => a.slug,
    minLength: 1,
    maxLength: 3,
  },
);

// ---- reading the served feeds

/** Parses with @xmldom/xmldom, throwing on every error (warnings, such as U+FFFD seen, are not errors). */
function parseStrict(xml: string): Document {
  return new DOMParser({
    // XML 1.0 §2.11: only CR LF and lone CR become LF (xmldom's default also folds U+2028/U+0085, as XML 1.1 does).
    normalizeLineEndings: (text) => text.replace(/\r\n?/g, '\n'),
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(xml, 'application/xml');
}

function children(parent: Element | Document, name: string, namespace?: string): Element[] {
  const found: Element[] = [];
  for (const node of Array.from(parent.childNodes)) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (
      namespace === undefined
        ? element.nodeName === name
        : element.namespaceURI === namespace && element.localName === name
    )
      found.push(element);
  }
  return found;
}

function only(elements: Element[], what: string): Element {
  if (elements.length !== 1 || !elements[0])
    throw new Error(`expected exactly one ${what}, found ${elements.length}`);
  return elements[0];
}

/** An item as each format shows it: its id and its title as a reader decodes it. */
interface FeedItem {
  id: string;
  title: string;
}

function readRss(xml: string): FeedItem[] {
  const channel = only(
    children(only(children(parseStrict(xml), 'rss'), 'rss'), 'channel'),
    'channel',
  );
  return children(channel, 'item').map((item) => ({
    id: only(children(item, 'guid'), 'guid').textContent ?? '',
    title: only(children(item, 'title'), 'item title').textContent ?? '',
  }));
}

function readAtom(xml: string): FeedItem[] {
  const feed = only(children(parseStrict(xml), 'feed', ATOM_NS), 'feed');
  return children(feed, 'entry', ATOM_NS).map((entry) => {
    const title = only(children(entry, 'title', ATOM_NS), 'entry title');
    const type = title.getAttribute('type') ?? 'text';
    // RFC 4287 §3.1.1: type="html" carries escaped markup, which the reader decodes once.
    const text =
      type === 'xhtml'
        ? (only(children(title, 'div', 'http://www.w3.org/1999/xhtml'), 'div').textContent ?? '')
        : (title.textContent ?? '');
    return {
      id: only(children(entry, 'id', ATOM_NS), 'entry id').textContent ?? '',
      title: type === 'html' ? decodeHTML(text) : text,
    };
  });
}

function readJsonFeed(json: string): FeedItem[] {
  const feed = JSON.parse(json) as {
    version?: unknown;
    items?: Array<{ id?: unknown; title?: unknown }>;
  };
  if (feed.version !== 'https://jsonfeed.org/version/1.1')
    throw new Error(`unexpected JSON Feed version ${String(feed.version)}`);
  return (feed.items ?? []).map((item) => ({ id: String(item.id), title: String(item.title) }));
}

/**
 * What any reader should see of a title: XML-invalid characters gone, ends trimmed, and CR as
 * LF, since XML 1.0 §2.11 turns every raw CR into LF (only `&#13;` keeps one).
 */
function readerTitle(title: string): string {
  return title.replace(XML_INVALID, '').replace(/\r\n?/g, '\n').trim();
}

async function bodyOf(
  served: { fetch(path: string): Promise<Response> },
  path: string,
): Promise<string> {
  const res = await served.fetch(path);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  return res.text();
}

/** Checks the property for one generated site; returns whether the build accepted it. */
async function checkSite(articles: readonly GeneratedArticle[]): Promise<boolean> {
  const result = await buildAndServe(
    articles.map((a) => a.file),
    { now: NOW },
  );
  // Markup in plain-text fields is refused, with a message on that field; plain text is not.
  // (`s`: the message quotes the text, which may hold a line separator such as U+2028.)
  const markupMessage =
    /^articles\/([^:]+):\d+: (title|tags|authors): .*(HTML tag|HTML end tag|HTML comment|HTML character reference)/s;
  if (!result.ok) {
    expect(result.messages.length).toBeGreaterThan(0);
    for (const message of result.messages) expect(message).toMatch(MESSAGE);
    for (const a of articles.filter((a) => a.markup === true)) {
      expect(
        result.messages.some((m) => markupMessage.exec(m)?.[1] === a.file.name),
        `${a.file.name} is refused for its markup`,
      ).toBe(true);
    }
    for (const message of result.messages) {
      const file = markupMessage.exec(message)?.[1];
      const article = articles.find((a) => a.file.name === file);
      // `&#` and a word character is refused too, though HTML reads it as text (feedparser does not).
      if (article?.markup === false)
        expect(
          article.plainText?.some((t) => /&#\w/.test(t)),
          message,
        ).toBe(true);
    }
    return false;
  }
  for (const a of articles)
    expect(a.markup, `${a.file.name} has markup in a plain-text field, yet was published`).not.toBe(
      true,
    );
  const feeds = {
    rss: readRss(await bodyOf(result.served, '/rss.xml')),
    atom: readAtom(await bodyOf(result.served, '/atom.xml')),
    json: readJsonFeed(await bodyOf(result.served, '/feed.json')),
  };
  // The last file with a slug wins when names differ only in case (a build error anyway).
  const bySlug = new Map(articles.map((a) => [a.slug, a]));
  const published = [...bySlug.values()].filter((a) => a.draft !== true);
  for (const [format, items] of Object.entries(feeds)) {
    const ids = items.map((i) => i.id);
    expect(new Set(ids).size, `${format} ids are unique`).toBe(ids.length);
    for (const id of ids) expect(id.startsWith(SITE_ID), `${format} id ${id}`).toBe(true);
    if (published.every((a) => a.draft !== undefined)) {
      expect(new Set(ids), `${format} lists every published article`).toEqual(
        new Set(published.map((a) => `${SITE_ID}${a.slug}`)),
      );
    }
  }
  for (const item of feeds.json) {
    const slugOf = item.id.slice(SITE_ID.length);
    const expected = bySlug.get(slugOf)?.title;
    const shown = readerTitle(item.title);
    expect(shown, 'a published title is never empty').not.toBe('');
    if (expected !== undefined)
      expect(shown, `title of ${slugOf} round-trips`).toBe(readerTitle(expected));
    // Every format shows the same title.
    expect(
      readerTitle(feeds.rss.find((i) => i.id === item.id)?.title ?? '<missing>'),
      `RSS title of ${slugOf}`,
    ).toBe(shown);
    expect(
      readerTitle(feeds.atom.find((i) => i.id === item.id)?.title ?? '<missing>'),
      `Atom title of ${slugOf}`,
    ).toBe(shown);
  }
  return true;
}

describe('any article set', () => {
  it(
    'is refused with located messages, or published as feeds that strict parsers read with titles intact and ids unique',
    async () => {
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(site, async (articles) => {
          if (await checkSite(articles)) accepted++;
          else refused++;
        }),
        runParameters(RUNS),
      );
      // Keeps the generators honest: both outcomes are exercised (about half of each at the time of writing).
      if (accepted + refused >= 200) {
        expect(accepted, `accepted ${accepted}, refused ${refused}`).toBeGreaterThan(
          (accepted + refused) / 5,
        );
        expect(refused, `accepted ${accepted}, refused ${refused}`).toBeGreaterThan(
          (accepted + refused) / 5,
        );
      }
    },
    Math.max(120_000, RUNS * 100),
  );
});

// Bugs these properties found, pinned as regressions.
describe('bugs found by the properties', () => {
  const article = (name: string, content: string): RawArticleFile[] => [{ name, content }];

  it('publishes an article whose first `# ` heading has inline markup', async () => {
    for (const heading of [
      'A *b*',
      'A **b**',
      'A `c`',
      'A [l](https://x.example)',
      'A \\* star',
      'A ~~d~~',
      'See https://x.example',
    ]) {
      const result = await buildAndServe(
        article('a.md', `# ${heading}\n\n2023-09-25\n\nBody text here.\n`),
        { now: NOW },
      );
      expect(result.ok, heading).toBe(true);
    }
  });

  it('keeps `file:line: field: problem` when an unknown front-matter key has a colon', async () => {
    const result = await buildAndServe(
      article('a.md', '---\ntitle: T\ndate: 2024-03-01\na:b: x\n---\nBody.\n'),
      { now: NOW },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) for (const message of result.messages) expect(message).toMatch(MESSAGE);
  });

  it('refuses deeply nested markdown with a located message instead of overflowing the stack', async () => {
    const result = await buildAndServe(
      article('a.md', `---\ntitle: T\ndate: 2024-03-01\n---\n${'> '.repeat(20000)}deep\n`),
      { now: NOW },
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.messages).toEqual([
        'articles/a.md:1: body: nested too deeply to render (quotes, lists or emphasis inside each other thousands of times): flatten it',
      ]);
  });
});
