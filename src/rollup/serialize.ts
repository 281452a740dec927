import { createHash } from "node:crypto";
import type { DayDocument } from "./document.js";

/** Serializes a day document once, with the sha256 of its bytes (the ETag of a response hashes these). */
export function serializeDocument(doc: DayDocument): { body: string; hash: string } {
  const body = JSON.stringify(doc);
  return { body, hash: createHash("sha256").update(body).digest("hex") };
}
