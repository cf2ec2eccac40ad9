import type { Item } from 'feed';
import { describe, expect, it } from 'vitest';
import {
  cdata,
  cutItem,
  cutItems,
  FEED_SHAPES,
  plain,
  renderFrame,
  renderItem,
  renderItems,
  restore,
  splitFrame,
  text,
} from '../../../src/render/safe-feed.ts';
import { ATOM_NS, childElements, childText, parseXmlStrict, XML_INVALID } from '../support.ts';

const CONTENT_NS = 'http://purl.org/rss/1.0/modules/content/';
const UPDATED = new Date('2024-03-01T08:00:00Z');
const HOSTILE = 'AT&T &amp; <b> 5 > 3 ]]> and ]]> "q" \'a\'';

function rssItem(fields: Partial<Item> = {}): Item {
  return {
    title: text('An item'),
    link: 'https://news.example/articles/a',
    date: UPDATED,
    ...fields,
  };
}

/** A whole RSS document from a frame and items rendered apart, as the build joins them. */
function rssDocument(items: string[]): string {
  const { head, tail } = renderFrame(
    'rss2',
    { title: text('Site'), link: 'https://news.example/', updated: UPDATED, generator: false },
    { attributes: { 'xmlns:content': CONTENT_NS } },
  );
  return head + items.join('') + tail;
}

function firstRssItem(xml: string) {
  const channel = parseXmlStrict(xml).documentElement?.getElementsByTagName('channel')[0];
  const item = channel && childElements(channel, 'item')[0];
  if (!item) throw new Error('no item');
  return item;
}

describe('strings prepared for feed', () => {
  it('round-trips text, plain and CDATA strings exactly, where feed alone would change them', () => {
    const item = firstRssItem(
      rssDocument([
        renderItem(
          'rss2',
          rssItem({
            title: text(HOSTILE),
            guid: plain(HOSTILE),
            description: cdata(HOSTILE),
            content: cdata(`<p>${HOSTILE}</p>`),
            category: [{ name: text(HOSTILE) }],
          }),
        ),
      ]),
    );
    expect(childText(item, 'title')).toBe(HOSTILE);
    // xml-js reads a literal `&amp;` as already escaped; plain keeps it literal.
    expect(childText(item, 'guid')).toBe(HOSTILE);
    expect(childText(item, 'description')).toBe(HOSTILE);
    expect(childText(item, 'encoded', CONTENT_NS)).toBe(`<p>${HOSTILE}</p>`);
    expect(childText(item, 'category')).toBe(HOSTILE);
  });

  it('writes text as character data with hexadecimal references, not as CDATA', () => {
    const xml = renderItem('atom1', {
      title: text('a & b < c > d'),
      id: 'tag:news.example,2026:a',
      link: 'https://news.example/a',
      date: UPDATED,
    });
    expect(xml).toContain('<title>a &#x26; b &#x3C; c &#x3E; d</title>');
  });

  it('drops the characters XML 1.0 forbids, markers included, so content cannot forge one', () => {
    const controls = Array.from({ length: 9 }, (_, i) => String.fromCharCode(i)).join('');
    const dirty = `a${controls}\uFFFE\uD800b`;
    const xml = rssDocument([
      renderItem(
        'rss2',
        rssItem({ title: text(dirty), guid: plain(dirty), content: cdata(dirty) }),
      ),
    ]);
    expect(xml).not.toMatch(XML_INVALID);
    const item = firstRssItem(xml);
    expect([
      childText(item, 'title'),
      childText(item, 'guid'),
      childText(item, 'encoded', CONTENT_NS),
    ]).toEqual(['ab', 'ab', 'ab']);
  });
});

describe('restoring feed output', () => {
  it('throws when a marker is left: the slot marker out of its place, or any in the extra elements', () => {
    expect(() =>
      renderFrame('rss2', { title: 'raw \u0004 string', updated: UPDATED, generator: false }),
    ).toThrow(/^internal error: U\+0004 is left in feed's output at offset \d+/);
    expect(() =>
      renderFrame(
        'atom1',
        { title: 'Site', updated: UPDATED },
        { elements: ['<link href="\u0002"/>'] },
      ),
    ).toThrow(/U\+0002 is left/);
    expect(() => restore('<title>\u0004</title>')).toThrow(/U\+0004 is left/);
  });

  it('puts extra elements in place of the slot element, one a line at its indentation', () => {
    const { head } = renderFrame(
      'atom1',
      { title: text('Site'), updated: UPDATED, generator: false },
      {
        elements: [
          '<link rel="hub" href="https://hub.example/"/>',
          '<link rel="first" href="https://news.example/atom.xml"/>',
        ],
      },
    );
    expect(head).toContain(
      '\n    <link rel="hub" href="https://hub.example/"/>\n    <link rel="first" href="https://news.example/atom.xml"/>',
    );
    expect(head).not.toContain('<rights>');
    expect(restore('<a>\n  <rights>\u0004</rights>\n</a>', ['<b/>', '<c/>'])).toBe(
      '<a>\n  <b/>\n  <c/>\n</a>',
    );
  });

  it('throws when the extra elements have no place, or their place is taken', () => {
    // feed's rss2 writes no copyright for items.
    expect(() => renderItem('rss2', rssItem(), { elements: ['<x/>'] })).toThrow(
      /0 <copyright>\/<rights> elements hold the extra elements' place, where 1 must/,
    );
    expect(() =>
      renderFrame(
        'rss2',
        { title: 'Site', updated: UPDATED, copyright: 'Mine' },
        { elements: ['<x/>'] },
      ),
    ).toThrow(/copyright is the place of the extra elements/);
    expect(() => restore('<rights>\u0004</rights>', ['<x/>'])).toThrow(
      /0 <copyright>\/<rights> elements/,
    );
    expect(() =>
      restore('\n<rights>\u0004</rights>\n<copyright>\u0004</copyright>', ['<x/>']),
    ).toThrow(/2 <copyright>\/<rights> elements/);
    expect(() => restore('\n<rights>\u0004</rights>')).toThrow(
      /1 <copyright>\/<rights> elements hold the extra elements' place, where 0 must/,
    );
  });

  it('throws when plain text sits in a CDATA section it cannot unwrap', () => {
    expect(restore('<title type="html"><![CDATA[\u0005a\u0006b]]></title>')).toBe(
      '<title>a&#x26;b</title>',
    );
    expect(() => restore('<title>\n<![CDATA[\u0005a]]></title>')).toThrow(
      /a CDATA section with plain text does not directly follow its start tag/,
    );
  });
});

describe('cutting feed documents', () => {
  const oneItem = (item: string) =>
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n    <channel>\n        <title>item</title>${item}\n    </channel>\n</rss>`;

  it('cuts the item of a one-item document, led by its line break and indentation', () => {
    const item = '\n        <item>\n            <title>x</title>\n        </item>';
    expect(cutItem(oneItem(item), 'rss2')).toBe(item);
    const rendered = renderItem('rss2', rssItem());
    expect(rendered.startsWith(FEED_SHAPES.rss2.open) && rendered.endsWith('</item>')).toBe(true);
    expect(
      renderItem('atom1', { title: text('x'), link: 'https://news.example/a', date: UPDATED }),
    ).toMatch(/^\n {4}<entry>[\s\S]*<\/entry>$/);
  });

  it('joins frames and items into documents with every item once', () => {
    const items = ['one', 'two'].map((title) =>
      renderItem(
        'rss2',
        rssItem({ title: text(title), content: cdata(`<p>${title} </item></p>`) }),
      ),
    );
    const channel = parseXmlStrict(rssDocument(items)).documentElement?.getElementsByTagName(
      'channel',
    )[0];
    expect(channel && childElements(channel, 'item').map((i) => childText(i, 'title'))).toEqual([
      'one',
      'two',
    ]);
    const { head, tail } = renderFrame('atom1', {
      title: text('Site'),
      updated: UPDATED,
      generator: false,
    });
    const entry = renderItem('atom1', {
      title: text('one'),
      id: 'tag:news.example,2026:one',
      link: 'https://news.example/one',
      date: UPDATED,
    });
    const feed = parseXmlStrict(head + entry + tail).documentElement;
    expect(
      feed && childElements(feed, 'entry', ATOM_NS).map((e) => childText(e, 'title', ATOM_NS)),
    ).toEqual(['one']);
  });

  it('throws when the item is not where feed 6.0.0 puts it', () => {
    // Indented otherwise.
    expect(() =>
      cutItem(oneItem('\n  <item>\n  </item>').replaceAll('    ', '  '), 'rss2'),
    ).toThrow(
      /^internal error: feed's output is not as src\/render\/safe-feed.ts expects: no "\\n {8}<item>"/,
    );
    // Something after the item, inside the channel.
    expect(() =>
      cutItem(oneItem('\n        <item>\n        </item>\n        <atom:link href="x"/>'), 'rss2'),
    ).toThrow(/does not end with "<\/item>\\n {4}<\/channel>\\n<\/rss>"/);
    expect(() => cutItem(oneItem(''), 'rss2')).toThrow(/no "\\n {8}<item>"/);
  });

  it('splits an item-less document before its closing tags, and throws when they differ or it has an item', () => {
    const frame = oneItem('');
    expect(splitFrame(frame, 'rss2')).toEqual({
      head: frame.slice(0, -'\n    </channel>\n</rss>'.length),
      tail: '\n    </channel>\n</rss>',
    });
    expect(() => splitFrame(frame.replace('</channel>', '</channel>\n<!-- x -->'), 'rss2')).toThrow(
      /the item-less rss2 document does not end with/,
    );
    expect(() => splitFrame(oneItem('\n        <item>\n        </item>'), 'rss2')).toThrow(
      /the item-less rss2 document has an item/,
    );
  });

  it('throws when a frame does not begin with the start tag it adds attributes to', () => {
    // feed's own self link declares xmlns:atom, and a stylesheet comes before the root.
    expect(() =>
      renderFrame('rss2', {
        title: 'Site',
        updated: UPDATED,
        feed: 'https://news.example/rss.xml',
      }),
    ).toThrow(
      /the rss2 text does not begin with "<\?xml version=\\"1.0\\" encoding=\\"utf-8\\"\?>\\n<rss version=\\"2.0\\">"/,
    );
    expect(() =>
      renderFrame('atom1', {
        title: 'Site',
        updated: UPDATED,
        stylesheet: 'https://news.example/a.xsl',
      }),
    ).toThrow(/the atom1 text does not begin with/);
  });

  it('adds attributes to the root and to the item, escaped', () => {
    const { head } = renderFrame(
      'atom1',
      { title: 'Site', updated: UPDATED, generator: false },
      { attributes: { 'xml:lang': 'en"<&' } },
    );
    expect(head).toContain(
      '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en&quot;&lt;&amp;">',
    );
    const entry = renderItem(
      'atom1',
      { title: text('x'), link: 'https://news.example/a', date: UPDATED },
      { attributes: { 'xml:lang': 'de' } },
    );
    expect(entry.startsWith('\n    <entry xml:lang="de">')).toBe(true);
  });
});

describe('rendering items in one document', () => {
  const entry = (title: string) => ({
    title: text(title),
    id: `tag:news.example,2026:${title}`,
    link: `https://news.example/${title}`,
    date: UPDATED,
  });

  it('gives each item its own extra elements and attributes, as rendering it alone does', () => {
    const items = ['one', 'two', 'three'].map(entry);
    const additions = [
      { elements: ['<link rel="via" href="https://wire.example/1"/>'] },
      { attributes: { 'xml:lang': 'de' } },
      {
        elements: ['<link rel="via" href="https://wire.example/3"/>', '<link rel="x" href="y"/>'],
        attributes: { 'xml:lang': 'fr' },
      },
    ];
    const batch = renderItems(
      'atom1',
      items.map((item, i) => ({ item, additions: additions[i] ?? {} })),
    );
    expect(batch).toEqual(items.map((item, i) => renderItem('atom1', item, additions[i])));
    expect(
      batch.map((e) =>
        [...e.matchAll(/wire\.example\/(\d)|xml:lang="(\w+)"/g)].map((m) => m[1] ?? m[2]),
      ),
    ).toEqual([['1'], ['de'], ['fr', '3']]);
  });

  it("throws as rendering alone does when an item's extra elements have no place, or a marker is left", () => {
    expect(() =>
      renderItems('rss2', [
        { item: rssItem() },
        { item: rssItem(), additions: { elements: ['<x/>'] } },
      ]),
    ).toThrow(/0 <copyright>\/<rights> elements hold the extra elements' place, where 1 must/);
    expect(() =>
      renderItems('atom1', [
        { item: entry('one'), additions: { elements: ['<x/>'] } },
        { item: { ...entry('two'), title: 'raw \u0004' } },
      ]),
    ).toThrow(/U\+0004 is left/);
  });

  const twoItems = (between = '') =>
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n    <channel>\n        <title>item</title>\n        <item>\n            <title>a</title>\n        </item>${between}\n        <item>\n            <title><![CDATA[b]]></title>\n        </item>\n    </channel>\n</rss>`;

  it('cuts each item from its start tag to the next, and gives up when a string holds one more', () => {
    expect(cutItems(twoItems(), 'rss2', 2)).toEqual([
      '\n        <item>\n            <title>a</title>\n        </item>',
      '\n        <item>\n            <title><![CDATA[b]]></title>\n        </item>',
    ]);
    const forged = twoItems().replace('<![CDATA[b', `<![CDATA[b${FEED_SHAPES.rss2.open}`);
    expect(cutItems(forged, 'rss2', 2)).toBeUndefined();
    // End tags in a string cannot move a cut.
    const ended = twoItems().replace('<title>a', '<title><![CDATA[a\n        </item>]]>');
    expect(cutItems(ended, 'rss2', 2)?.[0]).toBe(
      '\n        <item>\n            <title><![CDATA[a\n        </item>]]></title>\n        </item>',
    );
  });

  it('throws when the items are not where feed 6.0.0 puts them', () => {
    expect(() => cutItems(twoItems(), 'rss2', 3)).toThrow(
      /^internal error: feed's output is not as src\/render\/safe-feed.ts expects: 2 "\\n {8}<item>" in the 3-item rss2 document/,
    );
    expect(() => cutItems(twoItems('\n        <atom:link href="x"/>'), 'rss2', 2)).toThrow(
      /item 1 of the 2-item rss2 document does not end with "<\/item>"/,
    );
    expect(() => cutItems(`${twoItems()}\n<!-- x -->`, 'rss2', 2)).toThrow(
      /the 2-item rss2 document does not end with "<\/item>\\n {4}<\/channel>\\n<\/rss>"/,
    );
  });
});

describe("an item's content, put in after feed", () => {
  const BODY = `<p>${HOSTILE} $& $1 $$ ]]]]></p>\u0001\u000E<p>end</p>`;

  it('gives the item feed would give with the content as a field, and the check sees it without', () => {
    for (const format of ['rss2', 'atom1'] as const) {
      const fields =
        format === 'rss2'
          ? rssItem()
          : { title: text('An entry'), id: 'tag:x,2026:a', link: 'https://x/', date: UPDATED };
      const checked: string[] = [];
      const added = renderItems(
        format,
        [{ item: fields, additions: { content: BODY } }, { item: fields }],
        (item) => checked.push(item),
      );
      expect(added).toEqual([
        renderItem(format, { ...fields, content: cdata(BODY) }),
        renderItem(format, fields),
      ]);
      // The body reaches a reader as written, less the characters XML forbids.
      const xml =
        format === 'rss2'
          ? rssDocument(added)
          : `<feed xmlns="${ATOM_NS}">${added.join('')}</feed>`;
      const element = parseXmlStrict(xml).getElementsByTagName(
        format === 'rss2' ? 'content:encoded' : 'content',
      )[0];
      expect(element?.textContent).toBe(BODY.replaceAll('\u0001', '').replaceAll('\u000E', ''));
      expect(checked.length).toBe(2);
      expect(checked[0]).not.toContain('end</p>');
      expect(checked[0]).toContain('<![CDATA[]]>');
      expect(checked[1]).toBe(added[1]);
    }
  });

  it('stops at what the check throws, and refuses content given twice or a content section out of place', () => {
    expect(() =>
      renderItems('rss2', [{ item: rssItem(), additions: { content: '<p>x</p>' } }], () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(() =>
      renderItem('rss2', rssItem({ content: cdata('<p>x</p>') }), { content: '<p>y</p>' }),
    ).toThrow(/content as a field and as an addition/);
    expect(() => restore('<item><![CDATA[\u000E]]></item>')).toThrow(
      /1 content sections hold the content's place, where 0 must/,
    );
    expect(() => restore('<item></item>', [], true)).toThrow(
      /0 content sections hold the content's place, where 1 must/,
    );
    expect(() => restore('<item>\u000E<![CDATA[\u000E]]></item>', [], true)).toThrow(
      /U\+000E is left/,
    );
  });
});
