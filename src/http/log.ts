import type { FastifyServerOptions } from "fastify";

/**
 * Bounds of what one log line may carry. A failing request must never copy its body, the SQL parameters of a
 * statement (PGlite errors carry every parameter: one failed ingestion logged 100 KB) or any other unbounded
 * value into the log: errors keep their kind, code, message, a short detail and the top of their stack.
 */
export const LOG_LIMITS = {
  message: 500,
  detail: 200,
  stackLines: 8,
  stackLine: 200,
  url: 300,
  /** The longest line the serializers below can produce, with Fastify's usual fields: tests hold us to it. */
  line: 4096,
} as const;

const cap = (s: string, n: number): string =>
  s.length <= n ? s : `${s.slice(0, n)}… (${s.length - n} more)`;

/** The log form of an error: only fields of bounded size, never its other properties (query, params). */
export function serializeError(err: unknown): {
  type: string;
  message: string;
  stack: string;
  [field: string]: string | undefined;
} {
  if (!(err instanceof Error))
    return { type: typeof err, message: cap(String(err), LOG_LIMITS.message), stack: "" };
  const e = err as Error & { code?: unknown; detail?: unknown };
  return {
    type: e.constructor?.name ?? "Error",
    code: typeof e.code === "string" || typeof e.code === "number" ? String(e.code) : undefined,
    message: cap(e.message, LOG_LIMITS.message),
    detail: typeof e.detail === "string" ? cap(e.detail, LOG_LIMITS.detail) : undefined,
    // Without its first line, which repeats the (uncapped) message.
    stack: (e.stack ?? "")
      .split("\n")
      .slice(1, 1 + LOG_LIMITS.stackLines)
      .map((l) => cap(l.trim(), LOG_LIMITS.stackLine))
      .join("\n"),
  };
}

interface LoggedRequest {
  method?: string;
  url?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The log form of a request: method, a capped URL and the peer; never headers or body. */
function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : cap(req.url, LOG_LIMITS.url),
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** The server's logger settings at `level`, with the bounded serializers above. */
export function serverLogOptions(level: string): NonNullable<FastifyServerOptions["logger"]> {
  return {
    level,
    serializers: { err: serializeError, req: serializeRequest },
    hooks: {
      // Messages are ours, but some embed a value: keep any string argument within bounds.
      logMethod(args, method) {
        const capped = args.map((a: unknown) => (typeof a === "string" ? cap(a, LOG_LIMITS.message) : a));
        return method.apply(this, capped as Parameters<typeof method>);
      },
    },
  };
}
