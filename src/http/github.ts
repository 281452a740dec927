import { randomBytes } from "node:crypto";
import { ApiError, DOCS } from "./errors.js";

/** API versions served; the first is used when the request names none. */
export const API_VERSIONS = ["2022-11-28", "2026-03-10"] as const;

/** Request ids in GitHub's shape (`C0A4:2B4E:1A2B3C:1B2C3D:6744F1A2`); one source per app. */
export class RequestIds {
  private pool = Buffer.alloc(0);
  private offset = 0;

  /** A new random request id. */
  next(): string {
    // Random bytes drawn 4 KiB at a time: one system call per 292 requests instead of one each.
    if (this.offset + 14 > this.pool.length) {
      this.pool = randomBytes(4096);
      this.offset = 0;
    }
    const h = this.pool.toString("hex", this.offset, this.offset + 14).toUpperCase();
    this.offset += 14;
    return `${h.slice(0, 4)}:${h.slice(4, 8)}:${h.slice(8, 14)}:${h.slice(14, 20)}:${h.slice(20, 28)}`;
  }
}

/** The version to answer with, or a 400 for one GitHub does not serve. */
export function selectApiVersion(header: string | string[] | undefined): string {
  if (header === undefined) return API_VERSIONS[0];
  const v = Array.isArray(header) ? header.join(",") : header.trim();
  if ((API_VERSIONS as readonly string[]).includes(v)) return v;
  throw new ApiError(
    "unsupported_api_version",
    `Unsupported API version: '${v}'. Supported versions: ${API_VERSIONS.join(", ")}.`,
    {
      documentationUrl: DOCS.versions,
    },
  );
}

/** Headers GitHub sends on every REST answer. */
export const COMMON_HEADERS: Record<string, string> = {
  "x-github-media-type": "github.v3; format=json",
  "x-content-type-options": "nosniff",
  "x-frame-options": "deny",
  "x-xss-protection": "0",
  "referrer-policy": "origin-when-cross-origin, strict-origin-when-cross-origin",
  "content-security-policy": "default-src 'none'",
};

/** api.github.com's CORS answer, on every answer of the GitHub routes: any origin may read them with a token. */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers":
    "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset",
};

/** What api.github.com adds to its `204` answer to a CORS preflight (`OPTIONS`). */
export const PREFLIGHT_HEADERS: Record<string, string> = {
  "access-control-allow-methods": "GET, POST, PATCH, PUT, DELETE",
  "access-control-allow-headers":
    "Authorization, Content-Type, If-Match, If-Modified-Since, If-None-Match, If-Unmodified-Since, Accept-Encoding, X-GitHub-OTP, X-Requested-With, User-Agent, GraphQL-Features, X-Github-Next-Global-ID, X-GitHub-Api-Version",
  "access-control-max-age": "86400",
  vary: "Accept-Encoding, Accept, X-Requested-With",
};

/** True when an `If-None-Match` header names `etag` (or `*`), weak or strong. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, "");
  const want = strip(etag);
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || strip(t) === want);
}
