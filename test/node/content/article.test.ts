import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ParsedArticle, parseArticle } from '../../../src/content/article.ts';
import { parseSiteConfig, type RawVars } from '../../../src/content/config.ts';
import { formatProblem } from '../../../src/content/problem.ts';
import { FIXTURE_VARS } from '../../support/fixtures.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const SEED_FILE = 'articles/moscow-rebuffs-armenian-pms-claims-of-betrayal.md';
const SEED_ORIGINAL =
  'https://www.themoscowtimes.com/2023/09/25/moscow-rebuffs-armenian-pms-claims-of-betrayal-a82557';
/**
 * SHA-256 of the seed text the project was given (`seed/000_4bff5c34cac2a33d.txt` in the
 * shared material outside this repository, hashed with `sha256sum` when it was copied here):
 * SEED_FILE must stay exactly that text.
 */
const SEED_SHA256 = '9622c2ef837a231899ecddc52c96a4b44553a79d1819d07b27ca8aa793b1517b';

/** Parses article text (or raw bytes) as `articles/<name>` under the fixture configuration. */
function parse(
  source: string | Uint8Array,
  options: { name?: string; vars?: RawVars } = {},
): { article?: ParsedArticle; messages: string[] } {
  const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : source;
  const config = parseSiteConfig({ ...FIXTURE_VARS, ...options.vars });
  const result = parseArticle(`articles/${options.name ?? 'story.md'}`, bytes, config);
  return {
    ...(result.article ? { article: result.article } : {}),
    messages: result.problems.map(formatProblem),
  };
}

/** Parses text that must be valid and returns the article. */
function parseValid(
  source: string,
  options: { name?: string; vars?: RawVars } = {},
): ParsedArticle {
  const { article, messages } = parse(source, options);
  expect(messages).toEqual([]);
  if (!article) throw new Error('expected an article');
  return article;
}

/** Joins lines into a file, so that line numbers in the tests can be counted by eye. */
function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

const BODY =
  'A paragraph of body text with enough words to count as a real paragraph for the summary.';

describe('parseArticle on the seed article', () => {
  async function readSeed(): Promise<Buffer> {
    return readFile(join(repoRoot, SEED_FILE));
  }

  it('keeps the article file byte for byte as the seed text', async () => {
    expect(
      createHash('sha256')
        .update(await readSeed())
        .digest('hex'),
    ).toBe(SEED_SHA256);
  });

  it('takes the title from the heading and the date from the line under it', async () => {
    const { article, messages } = parse(await readSeed(), {
      name: 'moscow-rebuffs-armenian-pms-claims-of-betrayal.md',
    });
    expect(messages).toEqual([]);
    expect(article?.slug).toBe('moscow-rebuffs-armenian-pms-claims-of-betrayal');
    expect(article?.title).toBe("Moscow Rebuffs Armenian PM's Claims of Betrayal");
    expect(new Date(article?.publishedAt ?? Number.NaN).toISOString()).toBe(
      '2023-09-25T00:00:00.000Z',
    );
    expect(article?.updatedAt).toBeUndefined();
    expect(article?.draft).toBe(false);
  });

  it('moves the trailing "Original url:" lines out of the body into originalUrl', async () => {
    const article = parse(await readSeed()).article;
    expect(article?.originalUrl).toBe(SEED_ORIGINAL);
    expect(article?.contentHtml).not.toContain('themoscowtimes.com');
    expect(article?.contentHtml).not.toMatch(/original url/i);
  });

  it('uses the lede, not the photo credit, as the summary', async () => {
    const article = parse(await readSeed()).article;
    expect(article?.summary).toBe(
      "Russia's Foreign Ministry said Monday that it rejects Armenian Prime Minister Nikol Pashinyan's accusation that his country was abandoned by Moscow after Azerbaijan last week launched a military operation in the disputed territory of Nagorno-Karabakh.",
    );
  });

  it('keeps the words of placeholder links as plain text', async () => {
    const html = parse(await readSeed()).article?.contentHtml ?? '';
    expect(html).not.toContain('href="#"');
    expect(html).not.toContain('<a');
    expect(html).toContain("Russia's Foreign Ministry said Monday that it rejects");
    expect(html).toContain(
      'Pashinyan on Sunday blasted the Russian-Armenian strategic partnership',
    );
    expect(html).toContain(
      '<strong>Related article:</strong> Armenia PM Signals Foreign Policy Shift Away From Russia</p>',
    );
  });

  it('keeps the last paragraph and leaves the heading and date line out of the body', async () => {
    const html = parse(await readSeed()).article?.contentHtml ?? '';
    expect(html).toContain('Kremlin spokesman Dmitry Peskov told reporters.</p>');
    expect(html.trimEnd().endsWith('Kremlin spokesman Dmitry Peskov told reporters.</p>')).toBe(
      true,
    );
    expect(html).not.toContain('<h1');
    expect(html).not.toContain('Claims of Betrayal');
    expect(html).not.toContain('September 25, 2023');
    expect(html.startsWith("<p>Russia's Foreign Ministry building in Moscow.")).toBe(true);
  });

  it('reads the date line at midnight in the configured time zone', async () => {
    const article = parse(await readSeed(), { vars: { TIME_ZONE: 'Europe/Moscow' } }).article;
    expect(new Date(article?.publishedAt ?? Number.NaN).toISOString()).toBe(
      '2023-09-24T21:00:00.000Z',
    );
  });
});

describe('parseArticle dates', () => {
  it('reads a date-only front-matter value at midnight in the configured time zone', () => {
    const article = parseValid(lines('---', 'title: T', 'date: 2023-09-25', '---', BODY), {
      vars: { TIME_ZONE: 'Europe/Moscow' },
    });
    expect(new Date(article.publishedAt).toISOString()).toBe('2023-09-24T21:00:00.000Z');
  });

  it('reads a date-only value at midnight UTC when TIME_ZONE is UTC', () => {
    const article = parseValid(lines('---', 'title: T', 'date: 2023-09-25', '---', BODY));
    expect(new Date(article.publishedAt).toISOString()).toBe('2023-09-25T00:00:00.000Z');
  });

  it('honours an explicit offset regardless of the time zone', () => {
    const article = parseValid(
      lines('---', 'title: T', 'date: 2023-09-25T14:30:00+02:00', '---', BODY),
      { vars: { TIME_ZONE: 'Europe/Moscow' } },
    );
    expect(new Date(article.publishedAt).toISOString()).toBe('2023-09-25T12:30:00.000Z');
  });

  it('reads a local date-time in the configured time zone', () => {
    const article = parseValid(lines('---', 'title: T', 'date: 2023-09-25 14:30', '---', BODY), {
      vars: { TIME_ZONE: 'Europe/Moscow' },
    });
    expect(new Date(article.publishedAt).toISOString()).toBe('2023-09-25T11:30:00.000Z');
  });
});

describe('parseArticle front matter', () => {
  it('reads every known key', () => {
    const article = parseValid(
      lines(
        '---',
        'title: "  Front matter wins  "',
        'date: 2024-03-01T09:00:00Z',
        'updated: 2024-03-02T10:30:00Z',
        'summary: A summary written by hand.',
        'authors:',
        '  - name: Ann Example',
        '    url: https://ann.example',
        '    email: ann@example.com',
        '  - Bob Example',
        'tags: [politics, russia, politics]',
        'image: https://img.example/photo.jpg',
        'lang: pt-BR',
        'original_url: https://origin.example/story',
        'draft: true',
        '---',
        '# A heading that is not the title',
        '',
        BODY,
      ),
    );
    expect(article).toMatchObject({
      title: 'Front matter wins',
      summary: 'A summary written by hand.',
      authors: [
        { name: 'Ann Example', url: 'https://ann.example/', email: 'ann@example.com' },
        { name: 'Bob Example' },
      ],
      tags: ['politics', 'russia'],
      image: 'https://img.example/photo.jpg',
      language: 'pt-BR',
      originalUrl: 'https://origin.example/story',
      draft: true,
    });
    expect(new Date(article.publishedAt).toISOString()).toBe('2024-03-01T09:00:00.000Z');
    expect(new Date(article.updatedAt ?? Number.NaN).toISOString()).toBe(
      '2024-03-02T10:30:00.000Z',
    );
    // A heading that differs from the front-matter title is body content.
    expect(article.contentHtml).toContain('<h1>A heading that is not the title</h1>');
  });

  it('accepts a single author as a plain string', () => {
    const article = parseValid(
      lines('---', 'title: T', 'date: 2024-03-01', 'authors: Ann Example', '---', BODY),
    );
    expect(article.authors).toEqual([{ name: 'Ann Example' }]);
  });

  it('accepts authors as a list of names', () => {
    const article = parseValid(
      lines('---', 'title: T', 'date: 2024-03-01', 'authors: [Ann, Bob]', '---', BODY),
    );
    expect(article.authors).toEqual([{ name: 'Ann' }, { name: 'Bob' }]);
  });

  it('accepts authors as a list of objects', () => {
    const article = parseValid(
      lines(
        '---',
        'title: T',
        'date: 2024-03-01',
        'authors:',
        '  - { name: Ann, url: "https://ann.example/me" }',
        '---',
        BODY,
      ),
    );
    expect(article.authors).toEqual([{ name: 'Ann', url: 'https://ann.example/me' }]);
  });

  it('falls back to the site author, site language and no draft flag', () => {
    const article = parseValid(lines('---', 'title: T', 'date: 2024-03-01', '---', BODY));
    expect(article.authors).toEqual([{ name: 'Fixture Desk' }]);
    expect(article.language).toBe('en');
    expect(article.tags).toEqual([]);
    expect(article.draft).toBe(false);
    expect(article.image).toBeUndefined();
    expect(article.originalUrl).toBeUndefined();
  });

  it('infers the summary from the first real paragraph when the front matter has none', () => {
    const article = parseValid(
      lines('---', 'title: T', 'date: 2024-03-01', '---', 'Short line.', '', BODY),
    );
    expect(article.summary).toBe(BODY);
  });

  it('lowercases the file name into the slug', () => {
    expect(
      parseValid(lines('---', 'title: T', 'date: 2024-03-01', '---', BODY), {
        name: 'My-Story.markdown',
      }).slug,
    ).toBe('my-story');
  });
});

const KNOWN_KEYS =
  '(known keys: title, date, updated, summary, authors, tags, image, lang, original_url, draft)';

describe('parseArticle front matter as YAML 1.2', () => {
  it('keeps dates and yes/no as text, and takes numbers as text where text is expected', () => {
    const article = parseValid(
      lines('---', 'title: 2024', 'date: 2024-03-01', 'tags: [yes, no, 7]', '---', BODY),
    );
    expect(article.title).toBe('2024');
    expect(article.tags).toEqual(['yes', 'no', '7']);
    expect(new Date(article.publishedAt).toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it('refuses yes as a draft flag: only true and false are', () => {
    expect(
      parse(lines('---', 'title: T', 'date: 2024-03-01', 'draft: yes', '---', BODY)).messages,
    ).toEqual(['articles/story.md:4: draft: expected true or false']);
  });

  it('locates a quoted key at its own line', () => {
    expect(
      parse(
        lines(
          '---',
          '"title": T',
          'date: 2024-03-01',
          '\'lang\': "en_US!"',
          '"colour": red',
          '---',
          BODY,
        ),
      ).messages,
    ).toEqual([
      `articles/story.md:5: colour: unknown key ${KNOWN_KEYS}`,
      'articles/story.md:4: lang: expected a BCP 47 language tag such as "en" or "pt-BR", got "en_US!"',
    ]);
  });

  it('reads a flow mapping as the front matter, each key at its line', () => {
    expect(parseValid(lines('---', '{title: T, date: 2024-03-01}', '---', BODY)).title).toBe('T');
    const { messages } = parse(
      lines(
        '---',
        '{',
        '  title: T,',
        '  date: 2024-03-01,',
        '  # a comment: with a colon',
        '  draft,',
        '  colour: red',
        '}',
        '---',
        BODY,
      ),
    );
    // `draft` has no value, so it is absent, and `colour` after it is a key of its own.
    expect(messages).toEqual([`articles/story.md:7: colour: unknown key ${KNOWN_KEYS}`]);
  });

  it('reads an alias as the value of its anchor', () => {
    const article = parseValid(
      lines('---', 'title: &words Same words', 'summary: *words', 'date: 2024-03-01', '---', BODY),
    );
    expect(article.summary).toBe('Same words');
  });

  it('names a list that holds itself through an alias rather than writing it out', () => {
    expect(parse(lines('---', 'title: T', 'date: &d [*d]', '---', BODY)).messages).toEqual([
      'articles/story.md:3: date: expected a date like 2023-09-25, got a list',
    ]);
  });

  it('names a list that aliases make too long to write out (a billion strings) by its kind', () => {
    const levels = Array.from({ length: 9 }, (_, i) =>
      i === 0
        ? 'l0: &l0 [a, a, a, a, a, a, a, a, a, a]'
        : `l${i}: &l${i} [${Array(10)
            .fill(`*l${i - 1}`)
            .join(', ')}]`,
    );
    const { messages } = parse(lines('---', 'title: T', ...levels, 'date: *l8', '---', BODY));
    expect(messages.at(-1)).toBe(
      'articles/story.md:12: date: expected a date like 2023-09-25, got a list',
    );
  });
});

describe('parseArticle invalid YAML', () => {
  /** The front-matter problem of a file whose YAML does not parse (the missing title and date follow it). */
  function yamlProblem(...frontMatter: string[]): string[] {
    return parse(lines('---', ...frontMatter, '---', BODY)).messages.filter((m) =>
      m.includes(': front matter: '),
    );
  }

  it('reports a duplicate key at the duplicate', () => {
    expect(yamlProblem('title: T', 'date: 2024-03-01', 'title: U')).toEqual([
      'articles/story.md:4: front matter: invalid YAML: duplicated mapping key',
    ]);
  });

  it('reports an unclosed quote at the last line of the front matter', () => {
    expect(yamlProblem('title: "T', 'date: 2024-03-01')).toEqual([
      'articles/story.md:3: front matter: invalid YAML: unexpected end of the stream within a double quoted scalar',
    ]);
  });

  it('refuses an unknown tag rather than dropping it from the text', () => {
    expect(yamlProblem('title: !Breaking news', 'date: 2024-03-01')).toEqual([
      'articles/story.md:2: front matter: invalid YAML: unknown tag !<!Breaking>',
    ]);
  });

  it('reports a second document at its `---`', () => {
    expect(yamlProblem('title: T', 'date: 2024-03-01', '--- # more', 'summary: S')).toEqual([
      'articles/story.md:4: front matter: invalid YAML: expected a single document in the stream, but found more',
    ]);
  });

  it('refuses control characters YAML does not allow in unquoted text, at their line', () => {
    expect(yamlProblem('date: 2024-03-01', 'title: Caf\u0080e')).toEqual([
      'articles/story.md:3: front matter: invalid YAML: the stream contains non-printable characters',
    ]);
  });
});

describe('parseArticle errors', () => {
  it('reports a missing title at the first body line', () => {
    expect(parse(lines('---', 'date: 2024-03-01', '---', BODY)).messages).toEqual([
      'articles/story.md:4: title: missing: add `title:` to the front matter or start the body with a `# Heading`',
    ]);
  });

  it('reports an unparseable date on its line', () => {
    expect(parse(lines('---', 'title: T', 'date: 25/09/23', '---', BODY)).messages).toEqual([
      'articles/story.md:3: date: expected a date like 2023-09-25 or 2023-09-25T14:30:00+02:00, got "25/09/23"',
    ]);
  });

  it('refuses an impossible calendar date', () => {
    expect(parse(lines('---', 'title: T', 'date: 2023-02-30', '---', BODY)).messages).toEqual([
      'articles/story.md:3: date: impossible date: "2023-02-30"',
    ]);
  });

  it('refuses an impossible date with an offset', () => {
    expect(
      parse(lines('---', 'title: T', 'date: 2023-02-30T10:00:00Z', '---', BODY)).messages,
    ).toEqual(['articles/story.md:3: date: impossible date: "2023-02-30T10:00:00Z"']);
  });

  it('reports an unknown key with a did-you-mean hint', () => {
    const { article, messages } = parse(
      lines('---', 'title: T', 'date: 2024-03-01', 'titel: Typo', '---', BODY),
    );
    expect(article).toBeUndefined();
    expect(messages).toEqual([
      'articles/story.md:4: titel: unknown key; did you mean `title`? (known keys: title, date, updated, summary, authors, tags, image, lang, original_url, draft)',
    ]);
  });

  it('reports an unknown key without a hint when nothing is close', () => {
    expect(
      parse(lines('---', 'title: T', 'date: 2024-03-01', 'colour: red', '---', BODY)).messages,
    ).toEqual([
      'articles/story.md:4: colour: unknown key (known keys: title, date, updated, summary, authors, tags, image, lang, original_url, draft)',
    ]);
  });

  it('refuses relative URLs in image and original_url', () => {
    const { messages } = parse(
      lines(
        '---',
        'title: T',
        'date: 2024-03-01',
        'image: /pic.png',
        'original_url: ../elsewhere',
        '---',
        BODY,
      ),
    );
    expect([...messages].sort()).toEqual([
      'articles/story.md:4: image: expected an absolute http(s) URL such as "https://example.com/x", got "/pic.png"',
      'articles/story.md:5: original_url: expected an absolute http(s) URL such as "https://example.com/x", got "../elsewhere"',
    ]);
  });

  it('refuses malformed URLs', () => {
    const { messages } = parse(
      lines(
        '---',
        'title: T',
        'date: 2024-03-01',
        'image: "https://exa mple.com/x.png"',
        'original_url: "http://"',
        '---',
        BODY,
      ),
    );
    expect([...messages].sort()).toEqual([
      'articles/story.md:4: image: expected an absolute http(s) URL such as "https://example.com/x", got "https://exa mple.com/x.png"',
      'articles/story.md:5: original_url: expected an absolute http(s) URL such as "https://example.com/x", got "http://"',
    ]);
  });

  it('refuses a relative "Original url:" trailer at its line', () => {
    expect(
      parse(lines('---', 'title: T', 'date: 2024-03-01', '---', BODY, '', 'Original url: /story'))
        .messages,
    ).toEqual([
      'articles/story.md:7: original_url: expected an absolute http(s) URL, got "/story"',
    ]);
  });

  it('reports invalid UTF-8 on the line that holds it', () => {
    const encode = (text: string): number[] => [...new TextEncoder().encode(text)];
    const bytes = new Uint8Array([
      ...encode('---\ntitle: T\nsummary: '),
      0xff,
      0xff,
      ...encode('\ndate: 2024-03-01\n---\nBody.\n'),
    ]);
    expect(parse(bytes).messages).toEqual([
      'articles/story.md:3: encoding: invalid UTF-8: save the file as UTF-8',
    ]);
  });

  it('reports an empty body', () => {
    expect(parse(lines('---', 'title: T', 'date: 2024-03-01', '---', '', '')).messages).toEqual([
      'articles/story.md:5: body: empty: the article has no text to publish',
    ]);
  });

  it('reports an update dated before publication', () => {
    expect(
      parse(lines('---', 'title: T', 'date: 2024-03-01', 'updated: 2024-02-28', '---', BODY))
        .messages,
    ).toEqual([
      'articles/story.md:4: updated: is earlier than `date`: an article cannot be updated before it is published',
    ]);
  });

  it('reports a language that is not a BCP 47 tag', () => {
    expect(
      parse(lines('---', 'title: T', 'date: 2024-03-01', 'lang: "en_US!"', '---', BODY)).messages,
    ).toEqual([
      'articles/story.md:4: lang: expected a BCP 47 language tag such as "en" or "pt-BR", got "en_US!"',
    ]);
  });

  it('lists every problem of one file at once', () => {
    const { article, messages } = parse(
      lines('---', 'titel: T', 'date: 2023-02-30', 'lang: "??"', '---', ''),
    );
    expect(article).toBeUndefined();
    expect(messages).toHaveLength(5);
    expect(messages.map((m) => m.split(': ')[0] ?? '')).toEqual(
      expect.arrayContaining([
        'articles/story.md:2',
        'articles/story.md:3',
        'articles/story.md:4',
        'articles/story.md:6',
      ]),
    );
    for (const message of messages)
      expect(message).toMatch(/^articles\/story\.md:\d+: [a-z_ ]+: \S/);
  });

  it('refuses a file name that cannot be a URL slug', () => {
    expect(
      parse(lines('---', 'title: T', 'date: 2024-03-01', '---', BODY), { name: 'my story!.md' })
        .messages,
    ).toEqual([
      'articles/my story!.md:1: slug: file name must be lowercase letters, digits, "-" or "_" (it becomes the URL), got "my story!.md"',
    ]);
  });
});

describe('parseArticle plain-text fields', () => {
  const TAG_MESSAGE =
    'reads as an HTML tag to feed readers that take titles as HTML, and as text to the others: titles are plain text, so leave the tag out, or name it in quotes (“b”, «b»)';

  it('refuses a title with an HTML tag in the front matter, at its line, saying how to write it', () => {
    expect(
      parse(lines('---', 'date: 2024-03-01', 'title: "Tags <b>bold</b> & more"', '---', BODY))
        .messages,
    ).toEqual([`articles/story.md:3: title: "<b>" ${TAG_MESSAGE}`]);
  });

  it('refuses raw HTML in the heading a title comes from, rather than dropping its tags', () => {
    expect(
      parse(lines('# Tags <b>bold</b> & more', '', 'September 25, 2023', '', BODY)).messages,
    ).toEqual([`articles/story.md:1: title: "<b>" ${TAG_MESSAGE}`]);
    // Markdown in the heading is the author's markup: it becomes its words.
    expect(
      parseValid(lines('# Tags **bold** & `more`', '', 'September 25, 2023', '', BODY)).title,
    ).toBe('Tags bold & more');
    expect(
      parseValid(lines('# AT&amp;T *and* a &lt; b', '', 'September 25, 2023', '', BODY)).title,
    ).toBe('AT&T and a < b');
    // A heading that means a tag as text still makes a title that is markup to an HTML reader.
    expect(
      parse(lines('# Use &lt;b&gt; tags', '', 'September 25, 2023', '', BODY)).messages,
    ).toEqual([`articles/story.md:1: title: "<b>" ${TAG_MESSAGE}`]);
  });

  it.each([
    ['</b>', 'Close </b>', '"</b>" reads as an HTML end tag'],
    ['a comment', 'Hidden <!-- x --> part', '"<!-- x -->" reads as the start of an HTML comment'],
    [
      'a tag with attributes',
      'See <a href="https://x.example/">here</a>',
      '"<a href=\\"https://x.example/\\">" reads as an HTML tag',
    ],
    ['a tag cut short', 'a <b', '"<b" reads as an HTML tag'],
    [
      '&amp;',
      'AT&amp;T',
      '"&amp;" is an HTML character reference: readers that take titles as HTML show "&", the others "&amp;"; titles are plain text, so type "&" itself',
    ],
    ['&#39;', 'It&#39;s', '"&#39;" is an HTML character reference'],
    ['a legacy reference without ;', 'Acme&copy 2024', '"&copy" is an HTML character reference'],
    [
      '&nbsp;',
      'a&nbsp;b',
      '"&nbsp;" is an HTML character reference: readers that take titles as HTML show U+00A0',
    ],
    [
      '&# and a word',
      'Item &#x',
      '"&#x" looks like an HTML character reference to some feed readers',
    ],
  ])('refuses %s in a title', (_what, title, message) => {
    const { messages } = parse(
      lines('---', `title: ${JSON.stringify(title)}`, 'date: 2024-03-01', '---', BODY),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`articles/story.md:2: title: ${message}`);
  });

  it.each([
    'AT&T <3 & a < b',
    '5 > 3 && 2 < 4',
    'R&D; Q&A',
    'x<=y',
    '<-- back',
    '< b >',
    'a&#',
    '&bogus; & &T',
    'Tom & Jerry’s «<3»',
    'Café <é',
  ])('publishes %s as written', (title) => {
    const article = parseValid(
      lines(
        '---',
        `title: ${JSON.stringify(title)}`,
        'date: 2024-03-01',
        `tags: [${JSON.stringify(title)}]`,
        `authors: [${JSON.stringify(title)}]`,
        '---',
        BODY,
      ),
    );
    expect([article.title, article.tags, article.authors]).toEqual([
      title,
      [title],
      [{ name: title }],
    ]);
  });

  it('applies the same rule to author names and tag names, each at its line', () => {
    const { messages } = parse(
      lines(
        '---',
        'title: Fine',
        'date: 2024-03-01',
        'tags: [ok, "<i>x</i>"]',
        'authors: [{ name: "Ann <ann@x.example>" }, "Bo &amp; Co"]',
        '---',
        BODY,
      ),
    );
    expect(messages).toEqual([
      'articles/story.md:4: tags: "<i>" reads as an HTML tag to feed readers that take tag names as HTML, and as text to the others: tag names are plain text, so leave the tag out, or name it in quotes (“i”, «i»)',
      'articles/story.md:5: authors: "<ann@x.example>" reads as an HTML tag to feed readers that take author names as HTML, and as text to the others: author names are plain text, so write the address without "<" and ">", as `email` of `{ name, email }`',
      'articles/story.md:5: authors: "&amp;" is an HTML character reference: readers that take author names as HTML show "&", the others "&amp;"; author names are plain text, so type "&" itself (the build escapes it for each format)',
    ]);
  });

  it('leaves summaries free: they are HTML-escaped where a format reads HTML', () => {
    expect(
      parseValid(
        lines(
          '---',
          'title: T',
          'date: 2024-03-01',
          'summary: "Tags <b>bold</b> &amp; more"',
          '---',
          BODY,
        ),
      ).summary,
    ).toBe('Tags <b>bold</b> &amp; more');
  });
});

describe('parseArticle body links', () => {
  const linkBody = lines(
    '---',
    'title: T',
    'date: 2024-03-01',
    '---',
    '[sibling](../other) [rooted](/about) [same folder](next) [absolute](https://elsewhere.example/x) [mail](mailto:desk@news.example)',
    '',
    '![photo](pic.png) ![rooted photo](/img/a.jpg)',
    '',
    '[a script](javascript:alert(1)) and <a href="JaVaScRiPt:alert(2)">raw script</a> and ![bad](javascript:alert(3))',
  );

  it('makes relative links absolute against the article permalink', () => {
    const html = parseValid(linkBody).contentHtml;
    expect(html).toContain('<a href="https://news.example/other">sibling</a>');
    expect(html).toContain('<a href="https://news.example/about">rooted</a>');
    expect(html).toContain('<a href="https://news.example/articles/next">same folder</a>');
    expect(html).toContain('<a href="https://elsewhere.example/x">absolute</a>');
    expect(html).toContain('<a href="mailto:desk@news.example">mail</a>');
  });

  it('makes relative image sources absolute against the article permalink', () => {
    const html = parseValid(linkBody).contentHtml;
    expect(html).toContain('src="https://news.example/articles/pic.png"');
    expect(html).toContain('src="https://news.example/img/a.jpg"');
  });

  it('drops javascript: links and keeps their words', () => {
    const html = parseValid(linkBody).contentHtml;
    expect(html.toLowerCase()).not.toContain('javascript');
    expect(html).toContain('<p>a script and raw script and');
    expect(html).not.toContain('<a>');
    expect(html).not.toContain('alt="bad"');
  });
});

describe('parseArticle raw HTML links', () => {
  it('unwraps an anchor that leads nowhere and closes the next link properly', () => {
    const html = parseValid(
      lines(
        '---',
        'title: T',
        'date: 2024-03-01',
        '---',
        '<a href="#">placeholder</a> and [real](https://a.example/) and <a>bare</a> and [next](/n) end.',
      ),
    ).contentHtml;
    expect(html).toBe(
      '<p>placeholder and <a href="https://a.example/">real</a> and bare and <a href="https://news.example/n">next</a> end.</p>',
    );
  });
});

describe('parseArticle text cleaning', () => {
  it('drops XML-invalid characters from front matter and body', () => {
    const article = parseValid(
      lines(
        '---',
        'title: "Bad \\u0001bytes"',
        'date: 2024-03-01',
        'tags: ["a\\u0002b"]',
        'authors:',
        '  - { name: "Ann\\u0003 Example", email: "ann@example.com\\u0004" }',
        '---',
        `Body with a control \u0002 char and enough words to be a summary.`,
      ),
    );
    expect(article.title).toBe('Bad bytes');
    expect(article.tags).toEqual(['ab']);
    expect(article.authors).toEqual([{ name: 'Ann Example', email: 'ann@example.com' }]);
    expect(article.summary).toBe('Body with a control char and enough words to be a summary.');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 §2.2 forbids these C0 controls; finding them is the point
    expect(article.contentHtml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });
});
