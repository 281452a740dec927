/**
 * One day of GitHub's Copilot metrics document, as the four metrics routes return it (docs/metrics-semantics.md).
 * Declared once, by the server that writes it (src/rollup/document.ts, a types-only module): the dashboard reads
 * the same shape. Types only; nothing of the server is bundled.
 */
import type { CompletionLanguageLeaf, DayDocument } from "../../src/rollup/document.js";

export type DayMetrics = DayDocument;
export type CompletionLanguageCounts = CompletionLanguageLeaf;

/** `GET /orgs/{org}/copilot/billing`, the part the dashboard reads. */
export interface Billing {
  seat_breakdown: {
    total: number;
    added_this_cycle: number;
    pending_invitation: number;
    pending_cancellation: number;
    active_this_cycle: number;
    inactive_this_cycle: number;
  };
}
