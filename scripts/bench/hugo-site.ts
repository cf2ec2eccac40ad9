// The synthetic articles as a Hugo site, for `npm run bench -- --hugo`: the same files (same
// generator, same seed) under content/articles/, a hugo.toml for Hugo 0.111 (Debian's) and
// minimal layouts, so that Hugo's full build can be timed beside ours on the same machine.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChild } from '../support/process.ts';

/** Where Debian's `apt-get install hugo` puts the binary. */
export const HUGO_BIN = ['/usr/bin/hugo', '/usr/local/bin/hugo'].find((file) => existsSync(file));

/**
 * Hugo 0.111's spellings (`paginate`, not the later `[pagination]`). Every kind Hugo renders
 * by default stays on but the sitemap, which our build has no counterpart of; tags are the one
 * taxonomy, and each term gets an HTML page (paged) and an RSS feed, as our tags get pages and
 * feeds. Authors stay a page parameter: Hugo renders no author pages here, and ours does.
 */
const HUGO_TOML = `baseURL = "https://news.example/"
title = "Bench Dispatch"
languageCode = "en"
uglyURLs = true
paginate = 20
disableKinds = ["sitemap"]

[services.rss]
limit = 20

[outputs]
home = ["HTML", "RSS"]
section = ["HTML"]
page = ["HTML"]
taxonomy = ["HTML", "RSS"]
term = ["HTML", "RSS"]

[taxonomies]
tag = "tags"
`;

const HEAD = `<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ site.Title }}</title>
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">
{{ end }}</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>
`;
const FOOT = `</main>
</body>
</html>
`;

/** An article's page: title, date, authors, body and tag links, as our article pages carry. */
const SINGLE_HTML = `${HEAD}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>{{ with .Params.authors }} · by {{ delimit . ", " }}{{ end }}</p>
{{ .Content }}
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
${FOOT}`;

/**
 * Home, the section, the tag list and each tag: 20 articles a page with title, date and summary.
 * The template runs once per page of the paginator, so the home takes site.RegularPages (every
 * regular page is an article) as it is: a `where` filter there would scan all the articles for
 * each of its pages (1,000 pages × 20,000 articles at 20,000).
 */
const LIST_HTML = `{{- $pages := .Pages -}}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end -}}
{{- $pager := .Paginate $pages -}}
${HEAD}<h1>{{ .Title }}</h1>
<ul class="articles">
{{ range $pager.Pages }}<li><article>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p>{{ .Summary }}</p>
</article></li>
{{ end }}</ul>
<nav>{{ if $pager.HasPrev }}<a href="{{ $pager.Prev.URL }}">Newer articles</a> {{ end }}{{ if $pager.HasNext }}<a href="{{ $pager.Next.URL }}">Older articles</a>{{ end }}</nav>
${FOOT}`;

/**
 * Hugo's embedded RSS template, but with each item's full content, as our feeds carry it (the
 * embedded one sends only the summary).
 */
const RSS_XML = `{{- $pages := .Pages -}}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end -}}
{{- $limit := site.Config.Services.RSS.Limit -}}
{{- if ge $limit 1 }}{{ $pages = $pages | first $limit }}{{ end -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} – {{ site.Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>Synthetic articles for the benchmarks.</description>
<language>{{ site.LanguageCode }}</language>
{{ with .OutputFormats.Get "RSS" }}{{ printf "<atom:link href=%q rel=\\"self\\" type=%q />" .Permalink .MediaType.Type | safeHTML }}{{ end }}
{{ range $pages }}<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid>
{{ range .GetTerms "tags" }}<category>{{ .LinkTitle }}</category>{{ end }}
<description>{{ .Content | html }}</description>
</item>
{{ end }}</channel>
</rss>
`;

/**
 * Writes a Hugo site in `hugoDir` whose content is the articles of `articlesDir`, byte for
 * byte: their YAML front matter (a quoted title, an ISO 8601 date with its offset, `authors`
 * and `tags` as flow sequences) reads in Hugo as it reads in ours, so nothing is translated.
 */
export async function writeHugoSite(articlesDir: string, hugoDir: string): Promise<number> {
  const content = join(hugoDir, 'content', 'articles');
  const layouts = join(hugoDir, 'layouts', '_default');
  await mkdir(content, { recursive: true });
  await mkdir(layouts, { recursive: true });
  await writeFile(join(hugoDir, 'hugo.toml'), HUGO_TOML);
  await writeFile(join(layouts, 'single.html'), SINGLE_HTML);
  await writeFile(join(layouts, 'list.html'), LIST_HTML);
  await writeFile(join(layouts, 'rss.xml'), RSS_XML);
  const names = (await readdir(articlesDir)).filter((name) => name.endsWith('.md'));
  for (let i = 0; i < names.length; i += 256)
    await Promise.all(
      names.slice(i, i + 256).map((name) => copyFile(join(articlesDir, name), join(content, name))),
    );
  return names.length;
}

/** `hugo version`'s first line, or undefined when Hugo is not installed. */
export async function readHugoVersion(): Promise<string | undefined> {
  if (!HUGO_BIN) return undefined;
  const child = await runChild(HUGO_BIN, ['version'], { timeoutMs: 10_000 });
  return child.code === 0 ? child.stdout.trim().split('\n')[0] : undefined;
}

/** Arguments of a full Hugo build of `hugoDir`, written to `publicDir` or kept in memory. */
export function hugoBuildArgs(hugoDir: string, publicDir: string, toMemory: boolean): string[] {
  return [
    '--quiet',
    '--source',
    hugoDir,
    '-d',
    publicDir,
    '--cacheDir',
    join(hugoDir, 'cache'),
    ...(toMemory ? ['--renderToMemory'] : []),
  ];
}
