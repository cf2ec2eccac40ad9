import { STYLESHEET } from '../render/stylesheet.ts';
import { transcodeUtf8 } from './utf8.ts';

/**
 * The text pieces that every body is made of, each stored once however many bodies hold it
 * (an article's item is in its feeds, its tags' and its authors' feeds and their archives),
 * with its UTF-8 bytes encoded once for the ETags, the build id and the Data module.
 */
export class ChunkStore {
  readonly #texts: string[] = [];
  readonly #index = new Map<string, number>();
  readonly #encoded: Uint8Array[] = [];

  /** Every chunk's text, in the order they were added: what `BuiltSite.chunks` holds. */
  get texts(): string[] {
    return this.#texts;
  }

  /** The index of the chunk holding `text`, added if it is new. */
  add(text: string): number {
    const known = this.#index.get(text);
    if (known !== undefined) return known;
    this.#texts.push(text);
    this.#index.set(text, this.#texts.length - 1);
    return this.#texts.length - 1;
  }

  /** An HTML page as chunks, its inline stylesheet (the same on every page) stored once. */
  addPage(html: string): number[] {
    const style = `<style>${STYLESHEET}</style>`;
    const at = html.indexOf(style);
    if (at === -1) return [this.add(html)];
    return [this.add(html.slice(0, at)), this.add(style), this.add(html.slice(at + style.length))];
  }

  /** A chunk's UTF-8 bytes, encoded once however many bodies hash it. */
  bytesOf(index: number): Uint8Array {
    let bytes = this.#encoded[index];
    if (bytes === undefined) this.#encoded[index] = bytes = transcodeUtf8(this.#texts[index] ?? '');
    return bytes;
  }
}
