import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../api/context.js";
import { utcDay } from "../util/time.js";

/**
 * The web dashboard (web/, built by `npm run build` into dist/web) at `/`, with its hashed assets under
 * `/assets/`. It is a client of the public API like any other: this file only hands out its files.
 */

const here = dirname(fileURLToPath(import.meta.url));
// Compiled, this file is dist/dashboard/route.js (→ dist/web); under tsx it is src/dashboard/route.ts.
const BUILD_DIRS = [join(here, "..", "web"), join(here, "..", "..", "dist", "web")];

/** Only this server: no CDN, no inline script or style, no framing. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

interface Asset {
  body: Buffer;
  /** Compressed once at load: text assets are sent gzipped to clients that accept it. */
  gzip: Buffer | null;
  type: string;
}

interface Build {
  indexPath: string;
  mtimeMs: number;
  index: string;
  assets: Map<string, Asset>;
}

async function findIndex(dirs: readonly string[]): Promise<{ path: string; mtimeMs: number } | null> {
  for (const dir of dirs) {
    const path = join(dir, "index.html");
    try {
      return { path, mtimeMs: (await stat(path)).mtimeMs };
    } catch {
      // Not built there: try the next place.
    }
  }
  return null;
}

async function loadBuild(indexPath: string, mtimeMs: number): Promise<Build> {
  const dir = dirname(indexPath);
  const assets = new Map<string, Asset>();
  const names = await readdir(join(dir, "assets")).catch(() => [] as string[]);
  for (const name of names) {
    const body = await readFile(join(dir, "assets", name));
    const type = TYPES[extname(name)] ?? "application/octet-stream";
    const text = /^(text\/|application\/json|image\/svg)/.test(type);
    assets.set(name, { body, gzip: text && body.length > 1024 ? gzipSync(body) : null, type });
  }
  return { indexPath, mtimeMs, index: await readFile(indexPath, "utf8"), assets };
}

const NOT_BUILT =
  "The pilotlog dashboard is not built. Run `npm run build` in the pilotlog folder, then reload this page.\n" +
  "(The API itself is running: GitHub's routes answer as usual.)\n";

function sendAsset(req: FastifyRequest, reply: FastifyReply, a: Asset) {
  reply
    .header("content-type", a.type)
    // Names carry a content hash: a new build has new names, so a year of caching is safe.
    .header("cache-control", "public, max-age=31536000, immutable")
    .header("vary", "accept-encoding");
  if (a.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
    reply.header("content-encoding", "gzip");
    return reply.send(a.gzip);
  }
  return reply.send(a.body);
}

/**
 * Serves the dashboard. The page learns the server's UTC day and window from two meta tags, since the server's
 * clock may not be the browser's (`--now`, the sandbox clock).
 */
export function registerDashboard(
  app: FastifyInstance,
  ctx: Pick<AppContext, "clock" | "windowDays">,
  /** Where to look for the build, first found wins (tests point it elsewhere). */
  buildDirs: readonly string[] = BUILD_DIRS,
): void {
  let build: Build | null = null;
  // Re-read when index.html changes, so a `npm run build` while the server runs is picked up.
  const current = async (): Promise<Build | null> => {
    const found = await findIndex(buildDirs);
    if (!found) return null;
    if (!build || build.indexPath !== found.path || build.mtimeMs !== found.mtimeMs)
      build = await loadBuild(found.path, found.mtimeMs);
    return build;
  };

  app.get("/", async (_req, reply) => {
    const b = await current();
    reply.header("cache-control", "no-cache").header("content-security-policy", DASHBOARD_CSP);
    if (!b) return reply.code(503).type("text/plain; charset=utf-8").send(NOT_BUILT);
    const today = utcDay(ctx.clock.now());
    const meta =
      `<meta name="pilotlog:today" content="${today}" />` +
      `<meta name="pilotlog:window-days" content="${ctx.windowDays}" />`;
    return reply.type("text/html; charset=utf-8").send(b.index.replace("</head>", `${meta}</head>`));
  });

  app.get("/assets/*", async (req, reply) => {
    const name = (req.params as { "*": string })["*"];
    const asset = (await current())?.assets.get(name);
    if (!asset) return reply.callNotFound();
    return sendAsset(req, reply, asset);
  });
}
