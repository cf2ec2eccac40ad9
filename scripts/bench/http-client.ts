// A minimal HTTP/1.1 client over raw keep-alive sockets: fast enough that one core of load
// keeps one core of workerd busy, and exact about time to first byte. Loopback only.
import { connect, type Socket } from 'node:net';

/** One request as the client sends it. */
export interface RequestSpec {
  port: number;
  path: string;
  headers?: Record<string, string>;
}

/** A complete response, as `requestOnce` returns it. */
export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  /** From writing the request to the first response byte, ms. */
  ttfbMs: number;
  /** From writing the request to the last response byte, ms. */
  totalMs: number;
}

/** Outcome of a load run. */
export interface LoadResult {
  wallMs: number;
  responses: number;
  statuses: Record<number, number>;
  bodyBytes: number;
}

const HOST = '127.0.0.1';

function encodeRequest({ port, path, headers = {} }: RequestSpec): Buffer {
  let head = `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUser-Agent: feed-bench\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return Buffer.from(`${head}\r\n`, 'latin1');
}

type ParsedHead = { status: number; headers: Map<string, string>; length: number | 'chunked' };

/**
 * Incremental response parser for one connection: feed it bytes, it calls `onResponse` once
 * per complete response. Handles Content-Length, chunked bodies and bodiless statuses.
 */
class ResponseParser {
  private buffer: Buffer = Buffer.alloc(0);
  private head: ParsedHead | undefined;
  private remaining = 0;
  private chunkState: 'size' | 'data' | 'crlf' | 'trailer' = 'size';
  private body: Buffer[] = [];
  private bodyBytes = 0;

  private readonly keepBody: boolean;
  private readonly onResponse: (
    status: number,
    headers: Map<string, string>,
    body: Buffer,
    bodyBytes: number,
  ) => void;

  constructor(
    keepBody: boolean,
    onResponse: (
      status: number,
      headers: Map<string, string>,
      body: Buffer,
      bodyBytes: number,
    ) => void,
  ) {
    this.keepBody = keepBody;
    this.onResponse = onResponse;
  }

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    for (;;) {
      if (!this.head) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.head = parseHead(this.buffer.subarray(0, end).toString('latin1'));
        this.buffer = this.buffer.subarray(end + 4);
        this.body = [];
        this.bodyBytes = 0;
        if (this.head.length === 'chunked') this.chunkState = 'size';
        else this.remaining = this.head.length;
      }
      if (this.head.length !== 'chunked') {
        const take = Math.min(this.remaining, this.buffer.length);
        this.consume(take);
        this.remaining -= take;
        if (this.remaining > 0) return;
        this.finish();
        continue;
      }
      if (!this.stepChunked()) return;
    }
  }

  private consume(n: number): void {
    if (n === 0) return;
    if (this.keepBody) this.body.push(this.buffer.subarray(0, n));
    this.bodyBytes += n;
    this.buffer = this.buffer.subarray(n);
  }

  /** Advances through a chunked body; true when a response completed. */
  private stepChunked(): boolean {
    for (;;) {
      if (this.chunkState === 'size' || this.chunkState === 'trailer') {
        const eol = this.buffer.indexOf('\r\n');
        if (eol < 0) return false;
        const line = this.buffer.subarray(0, eol).toString('latin1');
        this.buffer = this.buffer.subarray(eol + 2);
        if (this.chunkState === 'trailer') {
          if (line === '') {
            this.finish();
            return true;
          }
          continue;
        }
        const size = Number.parseInt(line.split(';')[0] ?? '', 16);
        if (!Number.isFinite(size)) throw new Error(`bad chunk size line: ${JSON.stringify(line)}`);
        if (size === 0) this.chunkState = 'trailer';
        else {
          this.remaining = size;
          this.chunkState = 'data';
        }
      } else if (this.chunkState === 'data') {
        const take = Math.min(this.remaining, this.buffer.length);
        this.consume(take);
        this.remaining -= take;
        if (this.remaining > 0) return false;
        this.chunkState = 'crlf';
      } else {
        if (this.buffer.length < 2) return false;
        this.buffer = this.buffer.subarray(2);
        this.chunkState = 'size';
      }
    }
  }

  private finish(): void {
    const head = this.head as ParsedHead;
    this.head = undefined;
    this.onResponse(
      head.status,
      head.headers,
      this.keepBody ? Buffer.concat(this.body) : Buffer.alloc(0),
      this.bodyBytes,
    );
  }
}

function parseHead(text: string): ParsedHead {
  const lines = text.split('\r\n');
  const status = Number((lines[0] ?? '').split(' ')[1]);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const chunked = /\bchunked\b/i.test(headers.get('transfer-encoding') ?? '');
  const bodiless = status === 204 || status === 304 || (status >= 100 && status < 200);
  const length = chunked
    ? 'chunked'
    : bodiless
      ? 0
      : Number(headers.get('content-length') ?? Number.NaN);
  if (length !== 'chunked' && !Number.isFinite(length))
    throw new Error(`response without a length (status ${status})`);
  return { status, headers, length };
}

function openSocket(port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${HOST}:${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Sends one request on a new connection and returns the whole response with its timings. */
export async function requestOnce(spec: RequestSpec, timeoutMs = 30_000): Promise<RawResponse> {
  const socket = await openSocket(spec.port, timeoutMs);
  return new Promise((resolve, reject) => {
    let first = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`GET ${spec.path} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const parser = new ResponseParser(true, (status, headers, body) => {
      const end = performance.now();
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, headers, body, ttfbMs: first - start, totalMs: end - start });
    });
    socket.on('data', (data: Buffer) => {
      if (first === 0) first = performance.now();
      try {
        parser.push(data);
      } catch (error) {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const request = encodeRequest(spec);
    const start = performance.now();
    socket.write(request);
  });
}

/**
 * Sends `count` identical requests over `concurrency` keep-alive connections, each waiting
 * for its answer before the next (no pipelining). Rejects after `timeoutMs`.
 */
export async function runLoad(
  spec: RequestSpec & { count: number; concurrency: number; timeoutMs: number },
): Promise<LoadResult> {
  const request = encodeRequest(spec);
  const sockets = await Promise.all(
    Array.from({ length: Math.min(spec.concurrency, spec.count) }, () =>
      openSocket(spec.port, 5000),
    ),
  );
  const statuses: Record<number, number> = {};
  let sent = 0;
  let done = 0;
  let bodyBytes = 0;
  const start = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `load on ${spec.path} timed out after ${spec.timeoutMs} ms (${done}/${spec.count} answered)`,
            ),
          ),
        spec.timeoutMs,
      );
      for (const socket of sockets) {
        const parser = new ResponseParser(false, (status, _headers, _body, bytes) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          bodyBytes += bytes;
          done++;
          if (done === spec.count) {
            clearTimeout(timer);
            resolve();
          } else if (sent < spec.count) {
            sent++;
            socket.write(request);
          }
        });
        socket.on('data', (data: Buffer) => {
          try {
            parser.push(data);
          } catch (error) {
            clearTimeout(timer);
            reject(error);
          }
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.once('close', () => {
          if (done < spec.count) {
            clearTimeout(timer);
            reject(
              new Error(
                `the server closed a connection after ${done}/${spec.count} answers on ${spec.path}`,
              ),
            );
          }
        });
        sent++;
        socket.write(request);
      }
    });
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  return { wallMs: performance.now() - start, responses: done, statuses, bodyBytes };
}
