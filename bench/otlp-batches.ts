/**
 * OTLP export requests for the benchmarks, encoded as the exporters encode them (protobuf): a relay forwarding
 * Copilot Chat metrics of many developers (cumulative counters growing from one export to the next, plus metrics
 * no table maps) and Claude Code prompt log records.
 */
import { PROTO } from "../src/otlp/proto.js";

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const NS = 1_000_000n;

/**
 * Metrics requests: `rounds` exports of `users` developers, `usersPerRequest` resources per request. As in a
 * developer's minute, most counters do not move between two exports: a developer's chat actions grow every
 * fourth export, their lines every third, their tokens every other one (the first export counts everything).
 */
export function metricBatches(opts: {
  users: number;
  rounds: number;
  usersPerRequest: number;
  startMs: number;
}): { bodies: Buffer[]; points: number } {
  const bodies: Buffer[] = [];
  let points = 0;
  const languages = ["typescript", "python", "go", "java", "rust"];
  for (let round = 1; round <= opts.rounds; round++) {
    const time = BigInt(opts.startMs + round * 60_000) * NS;
    const start = BigInt(opts.startMs) * NS;
    for (let first = 0; first < opts.users; first += opts.usersPerRequest) {
      const resourceMetrics = [];
      for (let u = first; u < Math.min(opts.users, first + opts.usersPerRequest); u++) {
        // How many of this developer's exports so far moved a counter that moves every `n`th export.
        const grown = (n: number) => Math.floor((round + (u % n)) / n) + 1;
        const sum = (name: string, attrs: [string, string][], value: number) => ({
          name,
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: [
              {
                attributes: attrs.map(([k, v]) => str(k, v)),
                startTimeUnixNano: start,
                timeUnixNano: time,
                asInt: value,
              },
            ],
          },
        });
        const metrics = [
          ...["insert", "copy", "apply", "followup"].map((a, i) =>
            sum("copilot_chat.user.action.count", [["action", a]], grown(4) * (i + 1)),
          ),
          ...languages.flatMap((l) => [
            sum(
              "copilot_chat.lines_of_code.count",
              [
                ["type", "added"],
                ["language_id", l],
              ],
              grown(3) * 7,
            ),
            sum(
              "copilot_chat.lines_of_code.count",
              [
                ["type", "removed"],
                ["language_id", l],
              ],
              grown(3) * 2,
            ),
          ]),
          sum("copilot_chat.edit.acceptance.count", [["outcome", "accepted"]], grown(3)),
          sum("copilot_chat.edit.acceptance.count", [["outcome", "rejected"]], grown(3)),
          ...["input", "output"].flatMap((t) =>
            ["gpt-4o", "claude-sonnet-4"].map((m) => ({
              name: "gen_ai.client.token.usage",
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    attributes: [str("gen_ai.token.type", t), str("gen_ai.request.model", m)],
                    startTimeUnixNano: start,
                    timeUnixNano: time,
                    count: grown(2),
                    sum: grown(2) * 1000,
                  },
                ],
              },
            })),
          ),
          // No table maps these: decoded, counted as ignored.
          ...Array.from({ length: 20 }, (_, i) =>
            sum(
              "copilot_chat.tool.call.count",
              [
                ["gen_ai.tool.name", `tool${i}`],
                ["success", "true"],
              ],
              grown(2),
            ),
          ),
        ];
        points += metrics.length;
        resourceMetrics.push({
          resource: {
            attributes: [
              str("service.name", "copilot-chat"),
              str("service.version", "0.40.0"),
              str("enduser.id", `dev-${String(u).padStart(5, "0")}`),
            ],
          },
          scopeMetrics: [{ scope: { name: "copilot-chat" }, metrics }],
        });
      }
      const msg = PROTO.metricsRequest.fromObject({ resourceMetrics });
      bodies.push(Buffer.from(PROTO.metricsRequest.encode(msg).finish()));
    }
  }
  return { bodies, points };
}

/** Log requests: `perRequest` Claude Code `claude_code.user_prompt` records each, spread over `users`. */
export function logBatches(opts: { users: number; records: number; perRequest: number; startMs: number }): {
  bodies: Buffer[];
  records: number;
} {
  const bodies: Buffer[] = [];
  for (let first = 0; first < opts.records; first += opts.perRequest) {
    const logRecords = [];
    for (let i = first; i < Math.min(opts.records, first + opts.perRequest); i++) {
      logRecords.push({
        timeUnixNano: BigInt(opts.startMs + i) * NS,
        eventName: "claude_code.user_prompt",
        attributes: [
          str("enduser.id", `dev-${String(i % opts.users).padStart(5, "0")}`),
          str("prompt.id", `p${i}`),
          { key: "prompt_length", value: { intValue: 40 } },
        ],
      });
    }
    const msg = PROTO.logsRequest.fromObject({
      resourceLogs: [
        {
          resource: { attributes: [str("service.name", "claude-code")] },
          scopeLogs: [{ scope: { name: "com.anthropic.claude_code" }, logRecords }],
        },
      ],
    });
    bodies.push(Buffer.from(PROTO.logsRequest.encode(msg).finish()));
  }
  return { bodies, records: opts.records };
}
