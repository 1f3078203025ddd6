/**
 * The workers of examples/dataframe-apply: write the generated reviews, and score the rows of
 * one byte range of the CSV with a sentiment lexicon, writing that part's scores.
 */
import { fs } from 'mpflow';

const POSITIVE = ['good', 'great', 'excellent', 'love', 'fast', 'friendly', 'perfect', 'happy', 'fresh', 'recommend'];
const NEGATIVE = ['bad', 'slow', 'awful', 'hate', 'broken', 'rude', 'late', 'cold', 'dirty', 'refund'];
const NEUTRAL = ['the', 'food', 'service', 'was', 'and', 'order', 'staff', 'place', 'very', 'not', 'really', 'again'];
const LEXICON = new Map([...POSITIVE.map((word): [string, number] => [word, 1]), ...NEGATIVE.map((word): [string, number] => [word, -1])]);
export const CATEGORIES = ['restaurant', 'hotel', 'delivery', 'shop'];

export interface PartSummary {
  part: string;
  rows: number;
  /** Per category: rows and the sum of their scores. */
  byCategory: Record<string, { rows: number; scoreSum: number }>;
}

/** Writes `rows` seeded reviews, `id,category,stars,text`, to `path`; returns its size in bytes. */
export async function generateReviews(path: string, rows: number, seed: number): Promise<number> {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const out = fs.createWriteStream(path);
  out.write('id,category,stars,text\n');
  let lines: string[] = [];
  for (let id = 0; id < rows; id++) {
    const mood = random() < 0.5 ? POSITIVE : NEGATIVE;
    const words = Array.from({ length: 8 + Math.floor(random() * 12) }, () => pick(random() < 0.3 ? mood : random() < 0.1 ? POSITIVE.concat(NEGATIVE) : NEUTRAL));
    lines.push(`${id},${pick(CATEGORIES)},${mood === POSITIVE ? 4 + Math.floor(random() * 2) : 1 + Math.floor(random() * 2)},"${words.join(' ')}"\n`);
    if (lines.length === 10_000 || id === rows - 1) {
      if (!out.write(lines.join(''))) await new Promise((resolve) => out.once('drain', resolve));
      lines = [];
    }
  }
  await new Promise((resolve, reject) => out.end().once('finish', resolve).once('error', reject));
  return (await fs.stat(path)).size;
}

/**
 * Scores the rows that start in [start, end) of the CSV at `path` (a row that crosses `end` is
 * read to its newline; the header and a row cut at `start` belong to the previous range), writes
 * `id,score` lines to `part`, and sums them by category.
 */
export async function scoreRange(path: string, start: number, end: number, part: string): Promise<PartSummary> {
  const text = await readRows(path, start, end);
  const summary: PartSummary = { part, rows: 0, byCategory: {} };
  const scores: string[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('id,')) continue;
    const [id, category, , quoted] = line.split(',');
    const score = sentiment(quoted.slice(1, -1));
    scores.push(`${id},${score.toFixed(4)}`);
    const total = (summary.byCategory[category] ??= { rows: 0, scoreSum: 0 });
    total.rows++;
    total.scoreSum += score;
    summary.rows++;
  }
  await fs.writeFile(part, `id,score\n${scores.join('\n')}\n`);
  return summary;
}

/** The mean lexicon polarity of the text's words, in [-1, 1]. */
function sentiment(text: string): number {
  const words = text.split(' ');
  return words.reduce((sum, word) => sum + (LEXICON.get(word) ?? 0), 0) / words.length;
}

/** The text of the rows that start in [start, end). */
async function readRows(path: string, start: number, end: number): Promise<string> {
  await using file = await fs.open(path);
  const size = (await file.stat()).size;
  const from = start === 0 ? 0 : start - 1;
  let to = Math.min(end, size);
  let bytes = Buffer.alloc(to - from);
  await file.read(bytes, 0, bytes.length, from);
  // Extend past `end` to the newline that ends the last row.
  while (to < size && bytes[bytes.length - 1] !== 0x0a) {
    const more = Buffer.alloc(Math.min(4096, size - to));
    await file.read(more, 0, more.length, to);
    const newline = more.indexOf(0x0a);
    const taken = newline < 0 ? more : more.subarray(0, newline + 1);
    bytes = Buffer.concat([bytes, taken]);
    to += taken.length;
  }
  // Skip the row that started before `start`: it is the previous range's.
  const first = start === 0 ? 0 : bytes.indexOf(0x0a) + 1;
  return bytes.subarray(first).toString('utf8');
}
