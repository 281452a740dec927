import { createServer, request, type Server } from "node:http";

/**
 * A real HTTP proxy in front of an upstream, answering the way GitHub's rate limits do: `plan` says, per request
 * (counted from 1), what to answer instead of forwarding; `cutAfter` makes the upstream "go away" (connections
 * destroyed) once that many requests were forwarded.
 */
export interface LimitProxy {
  url: string;
  /** Requests seen (answered or forwarded), by path. */
  seen: string[];
  cutAfter(n: number | null): void;
  close(): Promise<void>;
}

export type Planned =
  | { status: 429 | 403; retryAfter: number; message: string }
  | { spent: true; resetInSeconds: number };

export async function startLimitProxy(
  target: string,
  plan: Map<number, Planned> = new Map(),
): Promise<LimitProxy> {
  const up = new URL(target);
  const seen: string[] = [];
  let cut: number | null = null;
  let forwarded = 0;
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const p = plan.get(seen.length);
    if (p && "status" in p) {
      res.writeHead(p.status, {
        "content-type": "application/json",
        "retry-after": String(p.retryAfter),
        "x-ratelimit-remaining": "4000",
      });
      res.end(JSON.stringify({ message: p.message, documentation_url: "https://docs.github.com/rest" }));
      return;
    }
    if (cut !== null && forwarded >= cut) {
      req.socket.destroy();
      return;
    }
    forwarded++;
    const out = request(
      { host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        const headers = { ...r.headers };
        if (p && "spent" in p) {
          headers["x-ratelimit-remaining"] = "0";
          headers["x-ratelimit-reset"] = String(Math.ceil(Date.now() / 1000) + p.resetInSeconds);
        }
        res.writeHead(r.statusCode ?? 502, headers);
        r.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    cutAfter(n) {
      cut = n;
      forwarded = 0;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
