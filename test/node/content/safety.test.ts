// Content safety: raw HTML in articles is reduced to an allow-list before it reaches any feed or
// page. Every output is parsed with parse5, the WHATWG HTML parser browsers follow, so that what
// is checked is what a browser or feed reader would build, not what a regular expression sees.
import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';
import { type DefaultTreeAdapterMap, parse, parseFragment } from 'parse5';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAndServe, type ServedFixture } from '../../support/serve-fixture.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const SITE_ID = 'tag:news.example,2026:';
const ATOM_NS = 'http://www.w3.org/2005/Atom';
const CONTENT_NS = 'http://purl.org/rss/1.0/modules/content/';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** Elements that must never reach a reader: they run code, load documents, or submit data. */
const FORBIDDEN_ELEMENTS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'portal',
  'form',
  'input',
  'button',
  'textarea',
  'select',
  'option',
  'svg',
  'math',
  'template',
  'noscript',
  'noembed',
  'xmp',
  'plaintext',
  'audio',
  'video',
  'source',
]);
/** Elements allowed only in the page's own <head>, never in article content. */
const HEAD_ONLY = new Set(['style', 'link', 'meta', 'base', 'title']);
/** Attributes that hold a URL a reader may follow or load. */
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'cite',
  'action',
  'formaction',
  'poster',
  'background',
  'data',
  'longdesc',
  'srcset',
  'xlink:href',
  'ping',
]);
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);
/** Attributes that carry code or style wherever they appear. */
const FORBIDDEN_ATTRIBUTES = /^(on|style$|srcdoc$|formaction$|xmlns|xlink:|is$)/i;

/** What is wrong with an HTML tree, as sentences; empty when it is safe. */
function findUnsafe(root: Node, options: { headAllowed: boolean }): string[] {
  const problems: string[] = [];
  const visit = (node: Node, inHead: boolean): void => {
    if ('tagName' in node) {
      const element = node as Element;
      const name = element.tagName.toLowerCase();
      if (name === 'script' && options.headAllowed && inHead && isJsonDataBlock(element)) {
        // A JSON-LD data block (HTML §4.12.1.1) runs nothing; its JSON must parse and hold no
        // `<`, so that no text in it can close the element early.
      } else if (FORBIDDEN_ELEMENTS.has(name)) {
        problems.push(`<${name}> element`);
      }
      if (HEAD_ONLY.has(name) && !(options.headAllowed && inHead))
        problems.push(`<${name}> outside <head>`);
      for (const { name: attribute, value } of element.attrs) {
        if (FORBIDDEN_ATTRIBUTES.test(attribute)) problems.push(`${attribute}= on <${name}>`);
        if (URL_ATTRIBUTES.has(attribute.toLowerCase())) {
          const protocol = protocolOf(value);
          if (!SAFE_PROTOCOLS.has(protocol))
            problems.push(`${attribute}="${value}" (${protocol}) on <${name}>`);
        }
      }
      const content = (element as Element & { content?: Node }).content;
      if (content) visit(content, inHead);
    }
    if ('childNodes' in node) {
      const isHead = 'tagName' in node && (node as Element).tagName === 'head';
      for (const child of node.childNodes) visit(child, inHead || isHead);
    }
  };
  visit(root, false);
  return problems;
}

/** Whether a script element is a JSON-LD data block whose text parses and cannot end it early. */
function isJsonDataBlock(element: Element): boolean {
  const type = element.attrs
    .find((a) => a.name === 'type')
    ?.value.trim()
    .toLowerCase();
  if (type !== 'application/ld+json' || element.attrs.some((a) => a.name === 'src')) return false;
  const text = element.childNodes
    .map((child) => ('value' in child ? String(child.value) : ''))
    .join('');
  try {
    JSON.parse(text);
  } catch {
    return false;
  }
  return !text.includes('<');
}

/** The protocol a browser resolves a URL attribute to, as the WHATWG URL parser reads it. */
function protocolOf(value: string): string {
  try {
    // The URL parser strips leading C0 controls and spaces and removes tabs and newlines anywhere,
    // exactly as browsers do with `  jav\tascript:`.
    return new URL(value, 'https://news.example/articles/x').protocol;
  } catch {
    return 'invalid:';
  }
}

function parseXml(xml: string) {
  return new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(xml, 'application/xml');
}

function elementsNamed(
  parent: { getElementsByTagNameNS(ns: string, name: string): ArrayLike<XmlElement> },
  namespace: string,
  name: string,
): XmlElement[] {
  return Array.from(parent.getElementsByTagNameNS(namespace, name));
}

/** The HTML each output carries for each article, keyed by slug. */
interface ArticleOutputs {
  rss: string;
  atom: string;
  json: string;
  /** The whole page at the article's permalink. */
  page: string;
}

/** Each vector is an article of its own, so a failure names the vector. */
const VECTORS: Record<string, string> = {
  'script-element':
    'Before.\n\n<script>alert("script")</script>\n\nAfter <script src="https://evil.example/x.js"></script> text.',
  'script-mixed-case': '<ScRiPt>alert(1)</sCrIpT> and <SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  'script-unclosed': 'Text <script>alert(1)',
  'script-in-attribute-breakout': '<p title="</p><script>alert(1)</script>">x</p>',
  iframe:
    '<iframe src="https://evil.example/"></iframe>\n\n<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  'iframe-javascript': '<IFRAME SRC="javascript:alert(1)"></IFRAME>',
  'style-element':
    '<style>body { background: url(javascript:alert(1)) }</style>\n\nText after style.',
  'style-attribute':
    '<p style="background:url(javascript:alert(1))">styled</p> <span style="position:fixed;inset:0">overlay</span>',
  'event-handlers':
    '<img src="https://news.example/i.png" onerror="alert(1)" onload=alert(2)>\n\n<p onclick="alert(3)" OnMouseOver=alert(4)>p</p>',
  'event-handler-img-no-src': '<img src=x onerror=alert(1)>',
  'event-handler-svg': '<svg onload=alert(1)><circle r="1"/></svg>',
  'event-handler-details': '<details open ontoggle=alert(1)><summary>s</summary>d</details>',
  'event-handler-body': '<body onload=alert(1)>body</body>',
  'javascript-link': '[click](javascript:alert(1))',
  'javascript-link-raw': '<a href="javascript:alert(1)">raw</a>',
  'javascript-mixed-case': '<a href="JaVaScRiPt:alert(1)">mixed</a> [md](JAVASCRIPT:alert(1))',
  'javascript-leading-spaces':
    '<a href="   javascript:alert(1)">spaces</a> <a href="\u0001\u0002javascript:alert(1)">controls</a>',
  'javascript-tab-entity':
    '<a href="jav&#x09;ascript:alert(1)">tab entity</a> <a href="jav&#9;ascript:alert(1)">decimal</a>',
  'javascript-newline-entity':
    '<a href="java&#x0A;script:alert(1)">newline</a> <a href="java&#13;script:alert(1)">cr</a>',
  'javascript-named-entity':
    '<a href="javascript&colon;alert(1)">colon</a> <a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">encoded</a>',
  'javascript-no-semicolon-entities':
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">nosemi</a>',
  'javascript-unquoted': '<a href=javascript:alert(1)>bare</a>',
  'javascript-autolink': '<javascript:alert(1)>',
  'javascript-reference-link': '[ref][x]\n\n[x]: javascript:alert(1)',
  'javascript-image': '![img](javascript:alert(1)) <img src="javascript:alert(1)">',
  'data-link':
    '[data](data:text/html,<script>alert(1)</script>) <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">b64</a>',
  'data-image': '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  'data-mixed-case': '<a href="DaTa:text/html,x">DATA</a> <a href="  data:text/html,x">spaced</a>',
  'vbscript-link':
    '<a href="vbscript:msgbox(1)">vb</a> [md](VBScript:msgbox(1)) <a href=" vbscript:x">sp</a>',
  'file-and-other-schemes':
    '<a href="file:///etc/passwd">file</a> <a href="ftp://ftp.example/x">ftp</a> <a href="blob:https://x/1">blob</a>',
  'protocol-relative':
    '<a href="//evil.example/x">proto-relative</a> <img src="//evil.example/i.png">',
  'object-embed':
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf"><applet code="x"></applet>',
  form: '<form action="https://evil.example/"><input name="p" type="password"><button formaction="javascript:alert(1)">go</button></form>',
  'meta-refresh': '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  'base-href': '<base href="https://evil.example/">\n\n[relative](x)',
  'link-stylesheet': '<link rel="stylesheet" href="https://evil.example/x.css">',
  'math-xlink': '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  'noscript-mxss': '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  'textarea-breakout': '<textarea><script>alert(1)</script></textarea>',
  'xmp-breakout': '<xmp><script>alert(1)</script></xmp>',
  template: '<template><script>alert(1)</script></template>',
  'comment-breakout': '<!-- --><script>alert(1)</script><!-- -->',
  'cdata-breakout': 'x ]]> <script>alert(1)</script> ]]>',
  srcset:
    '<img src="https://news.example/i.png" srcset="javascript:alert(1) 1x, https://news.example/j.png 2x">',
  'target-blank': '<a href="https://ok.example/" target="_blank" rel="opener">opener</a>',
  'unwrapped-next-to-kept':
    '[bad](javascript:alert(1)) then [good](https://ok.example/) and <em>em</em>, [bad2](data:x) [good2](https://ok.example/2)',
};

/** Markup that stays: formatting a reader expects in news copy. */
const KEPT = `Intro with **bold**, *em*, \`code\`, ~~del~~, <sup>1</sup>, <sub>2</sub>, <abbr title="Ab">AB</abbr> and [a link](https://ok.example/a?b=c&d=e "Title").

![A picture](https://ok.example/p.png "Pic")

> A quote.

| a | b |
| - | - |
| 1 | 2 |

<figure><img src="https://ok.example/f.png" alt="fig" width="10" height="20"><figcaption>Caption</figcaption></figure>

<details><summary>More</summary>Hidden text.</details>

\`\`\`js
const x = 1;
\`\`\`

[mail](mailto:desk@news.example) [call](tel:+15550100) [relative](../other) [rooted](/articles/x)`;

/**
 * Front matter that lands in the page head (title, description, JSON-LD, Open Graph) and feed
 * fields: quotes, `]]>`, `<` and `&` that try to break out of attributes, CDATA and script, in
 * forms the build publishes (titles, names and tags are plain text: a tag there is refused).
 */
const HOSTILE_TITLE_TEXT =
  '" onmouseover=alert(1) x=" ]]> < /script>< script>alert("t")< /script> \' < !-- & AT&T <3';
const HOSTILE_METADATA = [
  '---',
  `title: ${JSON.stringify(HOSTILE_TITLE_TEXT)}`,
  'date: "2025-01-01"',
  `summary: ${JSON.stringify('</script><script>alert("s")</script> \u2028\u2029 "quoted" <!--')}`,
  `tags: [${JSON.stringify('" onload=alert(1) x="')}, ${JSON.stringify('"> < svg onload=alert(1)>')}]`,
  `authors: [{ name: ${JSON.stringify('" < /script>< b onmouseover=alert(1)>')}, url: ${JSON.stringify('https://ok.example/a?x="><script>')} }]`,
  `image: ${JSON.stringify('https://ok.example/i.png?"><script>alert(1)</script>')}`,
  '---',
  'Body words.',
  '',
].join('\n');

let served: ServedFixture;
const outputs = new Map<string, ArticleOutputs>();

beforeAll(async () => {
  const entries = Object.entries({ ...VECTORS, kept: KEPT });
  const result = await buildAndServe(
    [
      // Words around each vector, so that an article whose vector is removed whole is not empty.
      ...entries.map(([slug, body]) => ({
        name: `${slug}.md`,
        content: `---\ntitle: ${JSON.stringify(`Vector ${slug}`)}\ndate: "2025-01-01"\n---\nLead words.\n\n${body}\n\nClosing words.\n`,
      })),
      { name: 'hostile-metadata.md', content: HOSTILE_METADATA },
    ],
    { now: NOW, vars: { FEED_ITEM_LIMIT: '500' } },
  );
  if (!result.ok) throw new Error(`the vectors failed to build:\n${result.messages.join('\n')}`);
  served = result.served;
  const text = async (path: string): Promise<string> => {
    const res = await served.fetch(path);
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return res.text();
  };
  const rss = parseXml(await text('/rss.xml'));
  const atom = parseXml(await text('/atom.xml'));
  const json = JSON.parse(await text('/feed.json')) as {
    items: Array<{ id: string; content_html?: string }>;
  };
  for (const [slug] of entries) {
    const id = `${SITE_ID}${slug}`;
    const rssItem = elementsNamed(rss, '*', 'item').find(
      (item) => Array.from(item.getElementsByTagName('guid'))[0]?.textContent === id,
    );
    const atomEntry = elementsNamed(atom, ATOM_NS, 'entry').find(
      (entry) => elementsNamed(entry, ATOM_NS, 'id')[0]?.textContent === id,
    );
    const jsonItem = json.items.find((item) => item.id === id);
    if (!rssItem || !atomEntry || !jsonItem) throw new Error(`${slug} is missing from a feed`);
    const atomContent = elementsNamed(atomEntry, ATOM_NS, 'content')[0];
    expect(
      atomContent?.getAttribute('type'),
      'Atom content is escaped HTML (RFC 4287 §3.1.1.2)',
    ).toBe('html');
    outputs.set(slug, {
      rss: elementsNamed(rssItem, CONTENT_NS, 'encoded')[0]?.textContent ?? '',
      atom: atomContent?.textContent ?? '',
      json: jsonItem.content_html ?? '',
      page: await text(`/articles/${slug}`),
    });
  }
});

function outputsOf(slug: string): ArticleOutputs {
  const found = outputs.get(slug);
  if (!found) throw new Error(`no outputs for ${slug}`);
  return found;
}

describe('the safety check itself', () => {
  it('flags what it must flag', () => {
    expect(
      findUnsafe(parseFragment('<p>x<script>alert(1)</script></p>'), { headAllowed: false }),
    ).toEqual(['<script> element']);
    expect(
      findUnsafe(parseFragment('<a href="  jav\tascript:alert(1)">x</a>'), { headAllowed: false }),
    ).toHaveLength(1);
    expect(
      findUnsafe(parseFragment('<a href="jav&#x09;ascript:alert(1)">x</a>'), {
        headAllowed: false,
      }),
    ).toHaveLength(1);
    expect(
      findUnsafe(parseFragment('<img src="DATA:image/png,x">'), { headAllowed: false }),
    ).toHaveLength(1);
    expect(
      findUnsafe(parseFragment('<p OnClick="x" style="y">x</p>'), { headAllowed: false }),
    ).toHaveLength(2);
    expect(
      findUnsafe(
        parse('<!doctype html><head><style>a{}</style></head><body><style>b{}</style></body>'),
        { headAllowed: true },
      ),
    ).toEqual(['<style> outside <head>']);
    expect(
      findUnsafe(
        parse(
          '<!doctype html><head><script type="application/ld+json">{"a":"\\u003c/script>"}</script></head>',
        ),
        { headAllowed: true },
      ),
    ).toEqual([]);
    expect(
      findUnsafe(
        parse(
          '<!doctype html><head><script type="application/ld+json">{"a":"</script><script>alert(1)</script>"}</script></head>',
        ),
        { headAllowed: true },
      ),
    ).not.toEqual([]);
    expect(
      findUnsafe(
        parse('<!doctype html><body><script type="application/ld+json">{}</script></body>'),
        { headAllowed: true },
      ),
    ).toEqual(['<script> element']);
    expect(
      findUnsafe(
        parseFragment(
          '<p><a href="https://ok.example/" title="t">ok</a> <img src="https://ok.example/i.png" alt=""></p>',
        ),
        { headAllowed: false },
      ),
    ).toEqual([]);
  });
});

describe('raw HTML in articles', () => {
  it.each(Object.keys(VECTORS))('neutralizes %s in every feed and on the page', (slug) => {
    const { rss, atom, json, page } = outputsOf(slug);
    for (const [format, html] of Object.entries({ rss, atom, json })) {
      expect(
        findUnsafe(parseFragment(html), { headAllowed: false }),
        `${format} content: ${html}`,
      ).toEqual([]);
    }
    expect(findUnsafe(parse(page), { headAllowed: true }), `page: ${page}`).toEqual([]);
    // The three feeds carry the same body.
    expect(atom).toBe(json);
    expect(rss).toBe(json);
  });

  it('escapes hostile titles, summaries, tags and authors in the page head, JSON-LD and every feed', async () => {
    const page = await served.fetch('/articles/hostile-metadata');
    const html = await page.text();
    expect(findUnsafe(parse(html), { headAllowed: true }), html).toEqual([]);
    const index = await (await served.fetch('/')).text();
    expect(findUnsafe(parse(index), { headAllowed: true }), index).toEqual([]);
    for (const path of ['/rss.xml', '/atom.xml']) {
      const xml = await (await served.fetch(path)).text();
      parseXml(xml); // well-formed, whatever the fields hold
    }
    const json = JSON.parse(await (await served.fetch('/feed.json')).text()) as {
      items: Array<{ id: string; title: string }>;
    };
    expect(json.items.find((item) => item.id === `${SITE_ID}hostile-metadata`)?.title).toBe(
      HOSTILE_TITLE_TEXT,
    );
  });

  it('refuses tags and character references in titles, author names and tag names, each located', async () => {
    const result = await buildAndServe(
      [
        {
          name: 'markup.md',
          content: [
            '---',
            `title: ${JSON.stringify('</script><script>alert("t")</script>')}`,
            'date: "2025-01-01"',
            `tags: [${JSON.stringify('<script>alert("tag")</script>')}, ok, ${JSON.stringify('fish &amp; chips')}]`,
            `authors: [{ name: ${JSON.stringify('</script><b onmouseover=alert(1)>')} }]`,
            '---',
            'Body words.',
          ].join('\n'),
        },
      ],
      { now: NOW },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages.map((m) => m.split(': ').slice(0, 3).join(': '))).toEqual([
      'articles/markup.md:2: title: "</script>" reads as an HTML end tag to feed readers that take titles as HTML, and as text to the others',
      'articles/markup.md:4: tags: "<script>" reads as an HTML tag to feed readers that take tag names as HTML, and as text to the others',
      'articles/markup.md:4: tags: "&amp;" is an HTML character reference',
      'articles/markup.md:5: authors: "</script>" reads as an HTML end tag to feed readers that take author names as HTML, and as text to the others',
    ]);
  });

  it('removes scripts with their text and keeps the text of other removed elements', () => {
    expect(outputsOf('script-element').json).not.toContain('alert');
    expect(outputsOf('script-element').json).toContain('Before.');
    expect(outputsOf('script-element').json).toContain('After');
    expect(outputsOf('style-element').json).not.toContain('background');
    expect(outputsOf('style-element').json).toContain('Text after style.');
    expect(outputsOf('event-handler-details').json).toContain(
      '<details><summary>s</summary>d</details>',
    );
  });

  it('unwraps links that lead nowhere safe, keeping their words', () => {
    const html = outputsOf('javascript-mixed-case').json;
    expect(html).toContain('mixed');
    expect(html).toContain('md');
    expect(html).not.toContain('<a');
    expect(outputsOf('data-link').json).not.toMatch(/<a\b/);
    expect(outputsOf('vbscript-link').json).not.toMatch(/<a\b/);
  });

  it('closes every kept link properly next to an unwrapped one', () => {
    const html = outputsOf('unwrapped-next-to-kept').json;
    expect(html).toContain(
      '<p>bad then <a href="https://ok.example/">good</a> and <em>em</em>, bad2 <a href="https://ok.example/2">good2</a></p>',
    );
    expect(html).not.toContain('x-unwrap');
  });

  it('drops images whose source is not http(s)', () => {
    expect(outputsOf('javascript-image').json).not.toContain('<img');
    expect(outputsOf('data-image').json).not.toContain('<img');
    // `x` is a relative URL: it resolves against the permalink; the handler goes.
    expect(outputsOf('event-handler-img-no-src').json).toContain(
      '<img src="https://news.example/articles/x" />',
    );
  });

  it('keeps only href and title on links, dropping target and rel', () => {
    expect(outputsOf('target-blank').json).toContain(
      '<p><a href="https://ok.example/">opener</a></p>',
    );
  });

  it('resolves protocol-relative URLs against the permalink, so they keep its https scheme', () => {
    const html = outputsOf('protocol-relative').json;
    expect(html).toContain('<a href="https://evil.example/x">proto-relative</a>');
    expect(html).toContain('<img src="https://evil.example/i.png" />');
  });

  it('keeps the formatting news copy uses, with every URL absolute', () => {
    const html = outputsOf('kept').json;
    for (const fragment of [
      '<strong>bold</strong>',
      '<em>em</em>',
      '<code>code</code>',
      '<del>del</del>',
      '<sup>1</sup>',
      '<sub>2</sub>',
      '<abbr title="Ab">AB</abbr>',
      '<a href="https://ok.example/a?b=c&amp;d=e" title="Title">a link</a>',
      '<img alt="A picture" title="Pic" src="https://ok.example/p.png" />',
      '<blockquote>',
      '<table>',
      '<figure><img alt="fig" width="10" height="20" src="https://ok.example/f.png" /><figcaption>Caption</figcaption></figure>',
      '<details><summary>More</summary>Hidden text.</details>',
      '<code class="language-js">',
      '<a href="mailto:desk@news.example">mail</a>',
      '<a href="tel:+15550100">call</a>',
      '<a href="https://news.example/other">relative</a>',
      '<a href="https://news.example/articles/x">rooted</a>',
    ]) {
      expect(html).toContain(fragment);
    }
    expect(findUnsafe(parseFragment(html), { headAllowed: false })).toEqual([]);
  });

  it('serves pages with a Content-Security-Policy that runs no script', async () => {
    const res = await served.fetch('/articles/script-element');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
  });
});
