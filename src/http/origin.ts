import type { FastifyRequest } from "fastify";

const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin links in answers point at (`Link`, `url` fields): the request's Host header when it is a plain host
 * name or address, else the address the request came in on. A garbage, missing or hostile Host header never
 * reaches a URL parser or an answer.
 */
export function requestOrigin(req: FastifyRequest): string {
  const host = req.headers.host;
  if (typeof host === "string" && HOST.test(host)) return `${req.protocol}://${host}`;
  const { localAddress, localPort } = req.socket;
  const address = localAddress?.includes(":") ? `[${localAddress}]` : (localAddress ?? "127.0.0.1");
  return `${req.protocol}://${address}:${localPort ?? 80}`;
}

/** The request's path and query, parsed against a fixed base so that no header can make it fail. */
export function requestUrl(req: FastifyRequest): URL {
  return new URL(req.url, "http://localhost");
}
