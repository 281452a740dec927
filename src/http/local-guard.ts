import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { AppContext } from "./context.js";
import { ApiError } from "./errors.js";

/** Routes for this machine's tools only: the sandbox controls and the local admin routes. */
export const LOCAL_PREFIX = "/_pilotlog/";

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** True for `localhost`, an IPv4 address or a bracketed IPv6 address, with or without a port. */
function namesAnAddress(host: string): boolean {
  if (host.startsWith("[")) return /^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(host);
  const name = host.replace(/:\d{1,5}$/, "");
  return name.toLowerCase() === "localhost" || IPV4.test(name);
}

/**
 * Refuses what a web page could send to a local route: anything but `application/json` (a form or `text/plain`
 * POST needs no CORS preflight, so any page could send one: 415), and a request whose `Origin` is not this
 * server's own (403). Tools such as the CLI send no `Origin` and pass. The server's own origin is the request's
 * Host, and only when that names the server by address or `localhost`: a page whose domain was re-pointed at
 * this machine (DNS rebinding) carries its own name in Host and is refused too.
 */
export function checkLocalRequest(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    const host = req.headers.host;
    const own = typeof host === "string" && namesAnAddress(host) ? `${req.protocol}://${host}` : null;
    if (origin.toLowerCase() !== own?.toLowerCase()) {
      throw new ApiError(
        "cross_origin_refused",
        `Cross-origin request refused: Origin ${JSON.stringify(origin.slice(0, 200))} is not this server's own` +
          `${own ? ` (${own})` : ""}. The sandbox and admin routes take requests from tools, which send no Origin, and from pages of this server reached by IP address or localhost.`,
      );
    }
  }
  const type = String(req.headers["content-type"] ?? "")
    .split(";")[0]!
    .trim()
    .toLowerCase();
  if (type !== "application/json") {
    throw new ApiError(
      "unsupported_media_type",
      `The sandbox and admin routes take only Content-Type: application/json (got ${type ? JSON.stringify(type.slice(0, 100)) : "none"}); send a JSON object, {} when there is nothing to say.`,
    );
  }
}

/** Whether the request shows the local admin secret (from the PGlite folder's lock file). */
export function authorized(ctx: AppContext, req: FastifyRequest): boolean {
  const given = Buffer.from(req.headers["x-pilotlog-admin"]?.toString() ?? "");
  const want = Buffer.from(ctx.adminToken ?? "");
  return want.length > 0 && given.length === want.length && timingSafeEqual(given, want);
}
