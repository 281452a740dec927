import { createServer } from "node:net";

/** The server cannot listen on the address it was given; the message names the address and the fix. */
export class ListenError extends Error {}

/** `host:port` as a URL writes it (an IPv6 address in brackets). */
function address(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Turns a listen failure into a ListenError naming the address and what to change; other errors pass through. */
export function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  const at = `cannot listen on ${address(host, port)}`;
  const fixHost =
    "pass --host (or PILOTLOG_HOST) with an address of this machine: 127.0.0.1, or 0.0.0.0 for all interfaces";
  switch (code) {
    case "EADDRINUSE":
      return new ListenError(
        `${at}: another program uses that port (EADDRINUSE); pass --port N (or PORT=N), or --port 0 for any free one`,
      );
    case "EADDRNOTAVAIL":
      return new ListenError(`${at}: ${host} is not an address of this machine (EADDRNOTAVAIL); ${fixHost}`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NONAME":
      return new ListenError(`${at}: the host name "${host}" does not resolve (${code}); ${fixHost}`);
    case "EACCES":
    case "EPERM":
      return new ListenError(
        `${at}: permission denied (${code}); ports below 1024 need privileges: pass --port 8080 (or any port from 1024)`,
      );
    case "EAFNOSUPPORT":
    case "EINVAL":
      return new ListenError(`${at}: ${(err as Error).message}; ${fixHost}`);
    default:
      return err;
  }
}

/**
 * Binds `host:port` once and lets it go, so that a bad address is reported before the database is opened (for
 * PGlite, created). Port 0 is always free.
 */
export function probeListen(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err) => reject(listenError(err, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
