/**
 * The chunks of a generated site as the Worker receives them: one Data module of UTF-8 bytes
 * and the byte offset where each chunk starts (with the end as the last entry).
 */
export interface PackedChunks {
  data: ArrayBuffer;
  offsets: number[];
}

/** Chunks as the build makes them (strings) or as the Worker bundle carries them (bytes). */
export type ChunkSource = readonly string[] | PackedChunks;

/** UTF-8 bytes backed by a plain ArrayBuffer, as Response bodies take them. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Reads chunks as UTF-8 bytes. */
export interface ChunkReader {
  bytes(index: number): Bytes;
}

const encoder = new TextEncoder();

/** Encodes text as UTF-8 (TextEncoder always returns a fresh, ArrayBuffer-backed array). */
export function encodeUtf8(text: string): Bytes {
  return encoder.encode(text) as Bytes;
}

/**
 * Creates a reader over either form. Packed chunks are views into the Data module, so a body
 * is sent as the bytes the build wrote, never re-encoded per request; strings (tests, tools)
 * are encoded once each.
 */
export function createChunkReader(source: ChunkSource): ChunkReader {
  if (isPacked(source)) {
    const { data, offsets } = source;
    return {
      bytes(index) {
        const start = offsets[index] ?? 0;
        return new Uint8Array(data, start, (offsets[index + 1] ?? start) - start);
      },
    };
  }
  const encoded: Bytes[] = [];
  return {
    bytes(index) {
      const known = encoded[index];
      if (known !== undefined) return known;
      const bytes = encodeUtf8(source[index] ?? '');
      encoded[index] = bytes;
      return bytes;
    },
  };
}

/** Joins byte arrays; a single one is returned as it is. */
export function joinBytes(parts: readonly Bytes[]): Bytes {
  const [only] = parts;
  if (parts.length === 1 && only) return only;
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.byteLength;
  }
  return joined;
}

/** Packs chunks (strings, or their UTF-8 bytes) into one buffer and offsets (what the build writes). */
export function packChunks(chunks: readonly (string | Uint8Array)[]): {
  bytes: Bytes;
  offsets: number[];
} {
  const encoded = chunks.map((chunk) =>
    typeof chunk === 'string' ? encodeUtf8(chunk) : (chunk as Bytes),
  );
  const offsets = [0];
  for (const bytes of encoded) offsets.push((offsets.at(-1) ?? 0) + bytes.byteLength);
  // Always a fresh buffer, never a view of one chunk's, so the Data module holds exactly these bytes.
  return { bytes: joinBytes([...encoded, new Uint8Array(0)]), offsets };
}

function isPacked(source: ChunkSource): source is PackedChunks {
  return !Array.isArray(source);
}
