/** Answers smaller than this are sent as they are: gzip would save little and cost a header and a copy. */
export const GZIP_MIN_BYTES = 1024;

/**
 * True when an `Accept-Encoding` header accepts gzip (`gzip` or `*` with a non-zero q), as RFC 9110 §12.5.3
 * reads it. Clients such as octokit (through fetch) send `gzip, deflate` and decompress transparently.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(",") : header;
  let gzip: number | null = null;
  let star: number | null = null;
  for (const part of text.split(",")) {
    const [coding = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const weight = Number.isFinite(q) ? q : 0;
    if (coding.trim() === "gzip" || coding.trim() === "x-gzip") gzip = weight;
    else if (coding.trim() === "*") star = weight;
  }
  return (gzip ?? star ?? 0) > 0;
}
