import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError, type FieldError } from "../../http/errors.js";
import { etagMatches } from "../../http/github.js";
import { requestOrigin, requestUrl } from "../../http/origin.js";
import { linkHeader, pageParams } from "../query.js";

/** `page` and `per_page` as GitHub reads them on list endpoints (per_page at most 100). */
export function pageOf(
  req: FastifyRequest,
  defaultPerPage: number,
  docs: string,
): { page: number; perPage: number } {
  const q = req.query as Record<string, string | string[] | undefined>;
  const errors: FieldError[] = [];
  const { page, perPage: asked } = pageParams(q, { page: 1, perPage: defaultPerPage }, errors, "Pagination");
  const perPage = Math.min(asked, 100);
  if (errors.length) throw new ApiError("validation_failed", undefined, { errors, documentationUrl: docs });
  return { page, perPage };
}

/** The base URL of this server as the client reached it (for URLs inside bodies and the Link header). */
export function baseUrl(req: FastifyRequest): string {
  return `${requestOrigin(req)}${req.url.startsWith("/api/v3/") ? "/api/v3" : ""}`;
}

/** Sends a JSON body with GitHub's ETag/304 handling. */
export function sendJson(req: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  const text = JSON.stringify(body);
  const etag = `W/"${createHash("sha256").update(text).digest("hex")}"`;
  reply.header("etag", etag).header("cache-control", "private, max-age=60, s-maxage=60");
  reply.header("vary", "Accept, Authorization, Cookie, X-GitHub-OTP");
  if (etagMatches(req.headers["if-none-match"], etag)) return reply.code(304).send();
  return reply.type("application/json; charset=utf-8").send(text);
}

/** One page of `items`, with the `Link` header. */
export function pageItems<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  items: readonly T[],
  p: { page: number; perPage: number },
): T[] {
  const pages = Math.max(1, Math.ceil(items.length / p.perPage));
  const url = requestUrl(req);
  const link = linkHeader(`${requestOrigin(req)}${url.pathname}`, url.searchParams, p.page, pages);
  if (link) reply.header("link", link);
  return items.slice((p.page - 1) * p.perPage, p.page * p.perPage);
}
