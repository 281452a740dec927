/**
 * The response shapes the dashboard reads, each declared once by the server that writes it (types-only modules:
 * nothing of the server is bundled): one day of GitHub's Copilot metrics document, as the four metrics routes
 * return it (src/rollup/document.ts, docs/metrics-semantics.md), and the Copilot billing summary
 * (src/api/companion/shapes.ts). Both are checked against GitHub's OpenAPI description (src/rollup/document.test.ts).
 */
import type { CopilotBilling } from "../../src/api/companion/shapes.js";
import type { CompletionLanguageLeaf, DayDocument } from "../../src/rollup/document.js";

export type DayMetrics = DayDocument;
export type CompletionLanguageCounts = CompletionLanguageLeaf;

/** `GET /orgs/{org}/copilot/billing`, the part the dashboard reads. */
export type Billing = Pick<CopilotBilling, "seat_breakdown">;
