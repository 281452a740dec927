/** NDJSON as the report files hold it: one JSON object a line; blank lines (a trailing newline) are skipped. */
export function parseNdjson<T>(text: string, source = "the file"): T[] {
  const out: T[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      throw new Error(`Line ${i + 1} of ${source} is not JSON: ${line.slice(0, 60)}`);
    }
  }
  return out;
}
