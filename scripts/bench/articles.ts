// Synthetic articles for the benchmarks: deterministic text, about 5 KB of markdown each,
// written like news copy (front matter, headings, links, lists, curly quotes, accents).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom } from '../support/random.ts';

/** What to generate and where. */
export interface GenerateArticlesOptions {
  dir: string;
  count: number;
  /** The newest article is dated one hour before this instant (epoch ms). */
  newestBefore: number;
  /** Target markdown size of one article in bytes. */
  bytesPerArticle?: number;
}

const WORDS = (
  'the minister said on monday that talks would resume after a pause of several weeks while negotiators ' +
  'from both sides met in the capital to discuss trade energy prices border controls and a new agreement ' +
  'on fisheries analysts expect the central bank to hold rates steady inflation eased slightly in october ' +
  'according to official figures released by the statistics office farmers protested outside parliament ' +
  'over fuel costs and the government promised support before winter officials declined to comment on ' +
  'reports that the deal had collapsed a spokesperson for the ministry described the meeting as productive ' +
  'residents of the coastal town were evacuated as the storm approached emergency services remained on ' +
  'alert through the night the opposition leader called for an inquiry into procurement contracts signed ' +
  'during the pandemic shares in the largest lender fell sharply after quarterly results missed forecasts'
).split(' ');
const ACCENTED = ['café', 'Zürich', 'São Paulo', 'Kraków', 'Île-de-France', 'Ñuñoa', 'Škoda'];
const TAGS = [
  'politics',
  'economy',
  'energy',
  'trade',
  'weather',
  'markets',
  'europe',
  'asia',
  'health',
  'transport',
];
const AUTHORS = ['Ann Lee', 'Bo Chen', 'Carla Díaz', 'Dmitri Volkov', 'Eve Martin'];

/** Slug of the i-th article (0 is the newest). */
export function slugOf(index: number): string {
  return `article-${String(index + 1).padStart(5, '0')}`;
}

/** Writes `count` articles into `dir` (created if missing); article 0 is the newest. */
export async function generateArticles({
  dir,
  count,
  newestBefore,
  bytesPerArticle = 4800,
}: GenerateArticlesOptions): Promise<void> {
  await mkdir(dir, { recursive: true });
  const hour = 3_600_000;
  const batch: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const date = new Date(newestBefore - (i + 1) * hour).toISOString().replace(/\.\d{3}Z$/, 'Z');
    batch.push(writeFile(join(dir, `${slugOf(i)}.md`), renderArticle(i, date, bytesPerArticle)));
    if (batch.length >= 256) await Promise.all(batch.splice(0));
  }
  await Promise.all(batch);
}

function renderArticle(index: number, date: string, targetBytes: number): string {
  const random = createRandom(index + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const words = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const sentence = (): string => {
    const text = words(10 + Math.floor(random() * 14));
    const roll = random();
    if (roll < 0.15)
      return `“${capitalize(text)},” the ${pick(['minister', 'spokesperson', 'analyst'])} said.`;
    if (roll < 0.25) return `${capitalize(text)} in ${pick(ACCENTED)}.`;
    if (roll < 0.35)
      return `${capitalize(text)}, [officials said](https://news.example/reports/${index}-${Math.floor(random() * 1000)}).`;
    if (roll < 0.42) return `${capitalize(text)} — **${words(3)}** — ${words(5)}.`;
    if (roll < 0.48) return `It’s ${text}.`;
    return `${capitalize(text)}.`;
  };
  const title = `${capitalize(words(6))} (${index + 1})`;
  const tags = [...new Set([pick(TAGS), pick(TAGS)])];
  const head = `---\ntitle: "${title}"\ndate: ${date}\nauthors: [${pick(AUTHORS)}]\ntags: [${tags.join(', ')}]\n---\n\n`;
  const parts: string[] = [];
  let size = head.length;
  let paragraph = 0;
  while (size < targetBytes) {
    let block: string;
    if (paragraph > 0 && paragraph % 4 === 0) block = `## ${capitalize(words(4))}`;
    else if (paragraph % 7 === 5)
      block = Array.from({ length: 3 }, () => `- ${capitalize(words(8))}.`).join('\n');
    else block = Array.from({ length: 3 + Math.floor(random() * 3) }, sentence).join(' ');
    parts.push(block);
    size += Buffer.byteLength(block) + 2;
    paragraph++;
  }
  return `${head}${parts.join('\n\n')}\n`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
