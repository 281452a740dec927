import { type FSWatcher, readFileSync, watch } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../http/context.js";
import { ApiError, ERROR_CODE_HEADER } from "../http/errors.js";
import { utcDay } from "../util/time.js";
import { precompressAssets } from "./precompress.js";

/**
 * The web dashboard (web/, built by `npm run build` into dist/web) at `/`, with its hashed assets under
 * `/assets/`. It is a client of the public API like any other: this file only hands out its files. The assets are
 * served by @fastify/static from the files gzip and brotli made at build time (content negotiation, `q=0`
 * included, is the library's); index.html is read once and re-read only when its folder changes.
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

/** Names carry a content hash: a new build has new names, so a year of caching is safe. */
const YEAR_MS = 365 * 24 * 3600 * 1000;

interface Index {
  html: string;
  watcher: FSWatcher | null;
}

/** The first built index.html of `dirs`, with its assets precompressed if the build did not do it. */
function loadIndex(dirs: readonly string[], onChange: () => void): Index | null {
  for (const dir of dirs) {
    let html: string;
    try {
      html = readFileSync(join(dir, "index.html"), "utf8");
    } catch {
      continue; // Not built there: try the next place.
    }
    precompressAssets(join(dir, "assets"));
    let watcher: FSWatcher | null = null;
    try {
      // A `npm run build` while the server runs replaces the folder: the next request reads the new page.
      watcher = watch(dir, { persistent: false }, onChange);
      watcher.on("error", onChange);
    } catch {
      // No watching here (some network file systems): the page stays as first read until a restart.
    }
    return { html, watcher };
  }
  return null;
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
  let index: Index | null = null;
  const forget = () => {
    index?.watcher?.close();
    index = null;
  };
  app.addHook("onClose", async () => forget());

  app.get("/", async (_req, reply) => {
    // Read from disk only until a build is found (and after it changes), not on every request.
    index ??= loadIndex(buildDirs, forget);
    reply.header("cache-control", "no-cache").header("content-security-policy", DASHBOARD_CSP);
    if (!index) {
      const e = new ApiError("dashboard_not_built");
      // For the person at the browser: the catalogue's words as text, not JSON.
      return reply
        .code(e.status)
        .header(ERROR_CODE_HEADER, e.code)
        .type("text/plain; charset=utf-8")
        .send(e.message);
    }
    const today = utcDay(ctx.clock.now());
    const meta =
      `<meta name="pilotlog:today" content="${today}" />` +
      `<meta name="pilotlog:window-days" content="${ctx.windowDays}" />`;
    return reply.type("text/html; charset=utf-8").send(index.html.replace("</head>", `${meta}</head>`));
  });

  app.register(async (scope) => {
    // Assets of a build made before precompression existed (or by a test) get their .gz/.br once, here.
    scope.addHook("onReady", async () => {
      for (const dir of buildDirs) precompressAssets(join(dir, "assets"));
    });
    await scope.register(fastifyStatic, {
      // Compiled, both BUILD_DIRS are dist/web: the plugin refuses a root named twice.
      root: [...new Set(buildDirs.map((d) => join(d, "assets")))],
      prefix: "/assets/",
      decorateReply: false,
      preCompressed: true,
      index: false,
      redirect: false,
      dotfiles: "ignore",
      cacheControl: true,
      maxAge: YEAR_MS,
      immutable: true,
      // The same URL answers gzip, brotli or plain bytes: caches must key on Accept-Encoding.
      setHeaders: (res) => res.setHeader("vary", "accept-encoding"),
      // Only the assets by their own names: not their .gz/.br siblings, nothing outside the folder.
      allowedPath: (path) => !path.includes("..") && !/\.(gz|br)$/.test(path),
    });
  });
}
