// `npm run new -- "Title" [--slug file-name]`: creates articles/<slug>.md as a draft.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createArticleFile } from '../src/content/new-article.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { slug: { type: 'string' } },
});
try {
  const file = await createArticleFile({
    root: process.cwd(),
    title: positionals.join(' '),
    now: Date.now(),
    ...(values.slug ? { slug: values.slug } : {}),
  });
  console.log(
    `Created ${relative(process.cwd(), file)}. Write it, then delete the line "draft: true" to publish it.`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
