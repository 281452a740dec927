import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The stored form of a token secret: sha256 hex. Secrets are high-entropy, so no salt or slow hash is needed. */
export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const ab = Buffer.from(a, "hex");
  const bb = Buffer.from(b, "hex");
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A new random secret with a recognisable prefix (`pl_` + 40 base62-ish characters). */
export function newTokenSecret(): string {
  return `pl_${randomBytes(30).toString("base64url")}`;
}
