import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Asset types worth compressing (images other than SVG and fonts are compressed already). */
const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".txt"]);
/** Below this, the headers of a compressed answer cost about what compression saves. */
const MIN_BYTES = 1024;

/**
 * Writes `NAME.gz` and `NAME.br` beside every compressible file of `dir` that lacks them, so that
 * `@fastify/static` (preCompressed) sends them without compressing per request. `npm run build` runs it on
 * dist/web/assets (scripts/copy-assets.mjs); the dashboard route runs it again on a build that has none (an
 * older build, a test's folder). Returns the number of files written; a read-only folder writes none.
 */
export function precompressAssets(dir: string): number {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let written = 0;
  for (const name of names) {
    if (!COMPRESSIBLE.has(extname(name))) continue;
    const path = join(dir, name);
    const gz = `${path}.gz`;
    const br = `${path}.br`;
    if (existsSync(gz) && existsSync(br)) continue;
    const body = readFileSync(path);
    if (body.length < MIN_BYTES) continue;
    try {
      if (!existsSync(gz)) {
        writeFileSync(gz, gzipSync(body, { level: 9 }));
        written++;
      }
      if (!existsSync(br)) {
        writeFileSync(
          br,
          brotliCompressSync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
        written++;
      }
    } catch {
      // A read-only install: the files are then sent as they are.
      return written;
    }
  }
  return written;
}
