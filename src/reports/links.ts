import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Queryable } from "../db/db.js";

/** Which file a link names: a report kind, its scope, its days and, for a split report, its login range. */
export interface FileIdentity {
  kind: "users-1-day" | "users-28-day" | "user-teams-1-day" | "scope-1-day" | "scope-28-day";
  scope: string;
  first: string;
  last: string;
  /** Logins after `after` (exclusive) up to `upTo` (inclusive); "" for an open end. */
  after: string;
  upTo: string;
}

const KINDS: ReadonlySet<string> = new Set([
  "users-1-day",
  "users-28-day",
  "user-teams-1-day",
  "scope-1-day",
  "scope-28-day",
]);

/** Where download links point (pilotlog's own origin; no other route lives under it). */
export const FILES_PATH = "/copilot-reports/v1/files";

const secrets = new WeakMap<object, Promise<Buffer>>();

/**
 * The signing secret, kept in the database so that every server of a deployment signs and accepts the same links.
 * The first server to need it makes it; a concurrent one keeps whichever row won.
 */
export function linkSecret(db: Queryable): Promise<Buffer> {
  let s = secrets.get(db);
  if (!s) {
    s = (async () => {
      await db.query(
        "INSERT INTO report_link_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        [randomBytes(32).toString("hex")],
      );
      const [row] = await db.query<{ secret: string }>("SELECT secret FROM report_link_secret WHERE id = 1");
      return Buffer.from(row!.secret, "hex");
    })();
    s.catch(() => secrets.delete(db));
    secrets.set(db, s);
  }
  return s;
}

function encode(f: FileIdentity): string {
  return Buffer.from([f.kind, f.scope, f.first, f.last, f.after, f.upTo].join("\n"), "utf8").toString(
    "base64url",
  );
}

function decode(text: string): FileIdentity | null {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(text)) return null;
  const parts = Buffer.from(text, "base64url").toString("utf8").split("\n");
  if (parts.length !== 6 || !KINDS.has(parts[0]!)) return null;
  const [kind, scope, first, last, after, upTo] = parts as [
    FileIdentity["kind"],
    string,
    string,
    string,
    string,
    string,
  ];
  if (
    !/^(org|ent):\d{1,10}$/.test(scope) ||
    !/^\d{4}-\d{2}-\d{2}$/.test(first) ||
    !/^\d{4}-\d{2}-\d{2}$/.test(last)
  )
    return null;
  return { kind, scope, first, last, after, upTo };
}

const mac = (secret: Buffer, payload: string, expires: number) =>
  createHmac("sha256", secret).update(`${payload}.${expires}`).digest("base64url");

const EXTENSION: Record<FileIdentity["kind"], string> = {
  "users-1-day": "ndjson",
  "users-28-day": "ndjson",
  "user-teams-1-day": "ndjson",
  "scope-1-day": "json",
  "scope-28-day": "json",
};

/** An absolute, signed link to one file, valid until `expires` (seconds since the epoch). */
export function signLink(origin: string, secret: Buffer, f: FileIdentity, expires: number): string {
  const payload = encode(f);
  return `${origin}${FILES_PATH}/${payload}.${EXTENSION[f.kind]}?expires=${expires}&signature=${mac(secret, payload, expires)}`;
}

/**
 * The file a link names, or null when its signature does not match or it has expired. The signature is
 * compared in constant time.
 */
export function verifyLink(
  secret: Buffer,
  name: string,
  query: Record<string, unknown>,
  nowMs: number,
): FileIdentity | null {
  const dot = name.lastIndexOf(".");
  if (dot < 0) return null;
  const payload = name.slice(0, dot);
  const f = decode(payload);
  if (!f || name.slice(dot + 1) !== EXTENSION[f.kind]) return null;
  const expires =
    typeof query.expires === "string" && /^\d{1,12}$/.test(query.expires) ? Number(query.expires) : NaN;
  const signature = typeof query.signature === "string" ? query.signature : "";
  if (!Number.isFinite(expires)) return null;
  const want = Buffer.from(mac(secret, payload, expires));
  const got = Buffer.from(signature);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  if (expires * 1000 <= nowMs) return null;
  return f;
}
