import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Keeps a long command's JavaScript heap near what it holds live. A PGlite import's live heap is 20–35 MB, but each
 * batch leaves megabytes of large strings and buffers (its column parameters, the bodies) that only a full
 * collection frees, and V8 lets the heap grow to 150–190 MB between two: with PGlite's WASM memory beside it, past
 * the import's 300 MB bound. A full collection each time the heap passes `limitBytes`, or half as much again as it
 * held live after the last one (a live heap near the bound would be collected over and over for little), holds the
 * peak there, at the cost of a mark-compact of the live heap (tens of ms) every second or so. Returns the function
 * that stops it.
 */
export function boundHeap(limitBytes: number, everyMs = 50): () => void {
  // `gc` is only exposed by a flag given at start; set now, a new context is given it (the flag is read there).
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  let trigger = limitBytes;
  const timer = setInterval(() => {
    if (getHeapStatistics().used_heap_size <= trigger) return;
    gc();
    trigger = Math.max(limitBytes, 1.5 * getHeapStatistics().used_heap_size);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
