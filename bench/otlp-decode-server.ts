/** The decode-only baseline of bench/otlp.ts: an HTTP server that decodes OTLP protobuf, keeps nothing, answers 200. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeExport } from "../src/otlp/decode.js";
import { OTLP_LIMITS } from "../src/otlp/route.js";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const signal = req.url === "/v1/logs" ? "logs" : "metrics";
    const { batch } = decodeExport(
      signal,
      Buffer.concat(chunks),
      { contentType: req.headers["content-type"], contentEncoding: undefined },
      OTLP_LIMITS,
    );
    if (batch.items.length < 0) throw new Error("unreachable");
    res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
  });
});
server.listen(0, "127.0.0.1", () =>
  console.log(`bare http://127.0.0.1:${(server.address() as AddressInfo).port}`),
);
