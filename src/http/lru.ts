/**
 * A least-recently-used map bounded by entry count and by an estimate of the bytes it holds, so a server with
 * many scopes and ranges keeps a flat memory profile (cached answers are up to half a megabyte each).
 */
export class Lru<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly sizeOf: (v: V) => number = () => 0,
  ) {}

  /** The value under `key`, marked as the most recently used. */
  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  /** Stores `value`, then drops the least recently used entries until both bounds hold again. */
  set(key: string, value: V): V {
    this.delete(key);
    const bytes = this.sizeOf(value);
    this.map.set(key, { value, bytes });
    this.bytes += bytes;
    while (this.map.size > 1 && (this.map.size > this.maxEntries || this.bytes > this.maxBytes)) {
      this.delete(this.map.keys().next().value!);
    }
    return value;
  }

  delete(key: string): void {
    const old = this.map.get(key);
    if (!old) return;
    this.bytes -= old.bytes;
    this.map.delete(key);
  }

  /** Entries and estimated bytes held, for tests and diagnostics. */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.map.size, bytes: this.bytes };
  }
}
