import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { JSONParser } from "@streamparser/json";

/**
 * Reads report files as a stream of JSON values, never the whole file: NDJSON (a line at a time), a
 * JSON array or a single object (through @streamparser/json, an element at a time); gzip is recognised by its magic
 * bytes, whatever the file is called. A line that is not JSON is yielded as a problem and reading goes on.
 */

/** One value read, or one that could not be. `raw` is the text of an NDJSON line as it came. */
export type Item =
  | { kind: "value"; where: string; value: unknown; raw: string | null }
  | { kind: "problem"; where: string; reason: string };

/**
 * What `readSourceBatches` yields: an NDJSON line not parsed yet (its text trimmed, and where it is), so the caller
 * parses one line at a time and each parsed value is garbage before the next (parsing a whole chunk first kept
 * hundreds of them alive at once, and V8 moved them to its old generation).
 */
export type RawItem = Item | { kind: "line"; name: string; line: number; raw: string };

/** A line's value, or the problem of a line that is not JSON. */
export function parseLine(
  item: Extract<RawItem, { kind: "line" }>,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(item.raw) };
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})` };
  }
}

function parsed(i: RawItem): Item {
  if (i.kind !== "line") return i;
  const where = `${i.name}:${i.line}`;
  const r = parseLine(i);
  return r.ok
    ? { kind: "value", where, value: r.value, raw: i.raw }
    : { kind: "problem", where, reason: r.reason };
}

/** A file, a folder (its files, recursively, in name order) or `-` (standard input). */
export async function expandSources(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    if (a === "-") {
      out.push(a);
      continue;
    }
    const s = await stat(a);
    if (s.isDirectory()) {
      const names = (await readdir(a)).sort();
      out.push(...(await expandSources(names.filter((n) => !n.startsWith(".")).map((n) => join(a, n)))));
    } else out.push(a);
  }
  return out;
}

/**
 * Bytes read at a time: the chunks read ahead wait as Buffers outside V8's heap until a collection frees them, which
 * at a megabyte each held ~20 MB at once. Under 128 kB, a chunk's text is an ordinary heap string: at 256 kB each was
 * a large object of its own, memory mapped and unmapped per chunk (a 280,000-record file: 300,000 page faults, a
 * fifth of the import's system time, against 80,000 at 64 kB).
 */
const READ_CHUNK = 64 * 1024;

/** How a source is named where its problems are reported. */
export const sourceName = (source: string): string => (source === "-" ? "<stdin>" : source);

/** Calls `onBytes` with the count of (compressed) bytes read so far, for progress. */
export async function* readSource(
  source: string,
  onBytes: (n: number) => void = () => {},
): AsyncGenerator<Item> {
  for await (const items of readSourceBatches(source, onBytes)) for (const i of items) yield parsed(i);
}

/**
 * `readSource` a chunk at a time: the values of each chunk read (a quarter of a megabyte) as one array, so a caller pays
 * one asynchronous step per chunk instead of one per value (a 2.8 million-record file: seconds of generator steps).
 */
export async function* readSourceBatches(
  source: string,
  onBytes: (n: number) => void = () => {},
): AsyncGenerator<RawItem[]> {
  const name = sourceName(source);
  const input: Readable =
    source === "-" ? process.stdin : createReadStream(source, { highWaterMark: READ_CHUNK });
  let read = 0;
  input.on("data", (c: Buffer) => {
    read += c.length;
    onBytes(read);
  });
  yield* readStreamBatches(input, name);
}

/** Reads one byte stream (see the module comment). */
export async function* readStream(input: Readable, name: string): AsyncGenerator<Item> {
  for await (const items of readStreamBatches(input, name)) for (const i of items) yield parsed(i);
}

/** `readStream` a chunk at a time (see `readSourceBatches`). */
export async function* readStreamBatches(input: Readable, name: string): AsyncGenerator<RawItem[]> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  let head = Buffer.from(first.value);
  while (head.length < 2) {
    const more = await it.next();
    if (more.done) break;
    head = Buffer.concat([head, Buffer.from(more.value)]);
  }
  const rest = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(),
    { objectMode: false },
  );
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const text: Readable = gzip ? rest.pipe(createGunzip()) : rest;
  yield* parseText(text, name);
}

async function* parseText(text: Readable, name: string): AsyncGenerator<RawItem[]> {
  // Look at the start of the text to choose the parser, then hand every chunk read so far to it.
  const it = text[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const seen: Buffer[] = [];
  let peek = "";
  for (;;) {
    const n = await it.next();
    if (n.done) break;
    seen.push(n.value);
    peek += n.value.toString("utf8", 0, Math.min(n.value.length, 65_536));
    const t = peek.trimStart();
    if (t.startsWith("[") || (t.length > 0 && !t.startsWith("{"))) break;
    if (t.startsWith("{") && t.includes("\n")) break;
  }
  const t = peek.trimStart();
  const replay = Readable.from(
    (async function* () {
      yield* seen;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(),
    { objectMode: false },
  );
  const firstLine = t.split("\n", 1)[0] ?? "";
  if (t.startsWith("[") || (t.startsWith("{") && !isJson(firstLine))) {
    yield* parseDocument(replay, name, t.startsWith("["));
    return;
  }
  // Lines split here rather than by a line-splitting stream: one step per chunk, not per line. Lines end at "\n"
  // (a "\r" before it is trimmed with the other white space), as split2 split them.
  const decoder = new StringDecoder("utf8");
  let lineNo = 0;
  let carry = "";
  for await (const chunk of replay as AsyncIterable<Buffer>) {
    const text = carry + decoder.write(chunk);
    const items: RawItem[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      lineNo++;
      const raw = text.slice(start, end).trim();
      start = end + 1;
      if (raw !== "") items.push({ kind: "line", name, line: lineNo, raw });
    }
    carry = text.slice(start);
    if (items.length > 0) yield items;
  }
  const raw = (carry + decoder.end()).trim();
  if (raw !== "") yield [{ kind: "line", name, line: lineNo + 1, raw }];
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** Elements of a top-level array (or the single top-level object), an element at a time. */
async function* parseDocument(text: Readable, name: string, array: boolean): AsyncGenerator<RawItem[]> {
  const parser = new JSONParser({ paths: [array ? "$.*" : "$"], keepStack: false });
  let ready: Item[] = [];
  let index = 0;
  let lineNo = 1;
  parser.onValue = ({ value }) => {
    index++;
    ready.push({ kind: "value", where: array ? `${name}: record ${index}` : name, value, raw: null });
  };
  let failed: string | null = null;
  parser.onError = (err) => {
    failed = err.message;
  };
  parser.onEnd = () => {};
  for await (const chunk of text as AsyncIterable<Buffer>) {
    if (!failed) {
      try {
        parser.write(chunk);
      } catch (err) {
        failed = (err as Error).message;
      }
    }
    if (ready.length > 0) {
      yield ready;
      ready = [];
    }
    if (failed) break;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lineNo++;
  }
  if (ready.length > 0) yield ready;
  if (failed)
    yield [
      {
        kind: "problem",
        where: `${name}:${lineNo}`,
        reason: `not JSON (${failed}); the rest of the file is skipped`,
      },
    ];
}
