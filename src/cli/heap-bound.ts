import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Keeps a long command's JavaScript heap near what it holds live. An import's live heap is ≈ 40 MB, but each batch
 * leaves megabytes of large strings and buffers (its column parameters, the bodies) that only a full collection
 * frees, and V8 lets the heap grow to 150–190 MB between two: with PGlite's WASM memory beside it, past the import's
 * 300 MB bound. A full collection each time the heap passes `limitBytes` holds the peak there, at the cost of one
 * mark-compact of the live heap (tens of ms) every few hundred ms. Returns the function that stops it.
 */
export function boundHeap(limitBytes: number, everyMs = 50): () => void {
  // `gc` is only exposed by a flag given at start; set now, a new context is given it (the flag is read there).
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const timer = setInterval(() => {
    if (getHeapStatistics().used_heap_size > limitBytes) gc();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
