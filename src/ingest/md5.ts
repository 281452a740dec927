import crypto from "node:crypto";

type OneShot = (algorithm: string, data: string, encoding: "hex") => string;
// `crypto.hash` (Node ≥ 20.12) skips building a Hash object, which costs more than hashing a short id; older
// Node 20 releases take the long way to the same digest.
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** The md5 of `s`'s UTF-8 bytes, in hex. */
export function md5Hex(s: string): string {
  return oneShot ? oneShot("md5", s, "hex") : crypto.createHash("md5").update(s, "utf8").digest("hex");
}
