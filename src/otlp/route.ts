import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable, UNAVAILABLE_RETRY_AFTER_S } from "../db/unavailable.js";
import { authenticate, type Principal } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { ApiError, DOCS, ERROR_CODE_HEADER, fromCatalogued } from "../http/errors.js";
import { windowOf } from "../rollup/process.js";
import { utcDay } from "../util/time.js";
import { decodeExport, encodingOf, OtlpDecodeError, type OtlpEncoding } from "./decode.js";
import type { Sender } from "./identity.js";
import { forgetOtlpState, ingestOtlp } from "./ingest.js";
import type { Signal } from "./model.js";
import { type EncodedBody, exportResponse, rejectionMessage, statusBody } from "./response.js";

/** Limits of one OTLP request (spec/otlp-ingest.md): as the native route's bytes, and a bound on items. */
export const OTLP_LIMITS = { maxBytes: 10 * 1024 * 1024, maxItems: 50_000 };
/** Requests processed at once; past it the answer is 429 with Retry-After, which every OTLP exporter honours. */
export const OTLP_MAX_CONCURRENT = 32;
const OVERLOAD_RETRY_AFTER_S = 2;
/** How often stale series and old dedupe ids are swept. */
const FORGET_EVERY_MS = 10 * 60_000;

/** The owner of the request's items, from its token (a user's token or an ingest token). */
export function senderOf(principal: Principal): Sender {
  if (principal.kind === "app_installation")
    throw new ApiError(
      "forbidden",
      "An installation token acts for an organization, not a person, so it may not send telemetry; use an ingest token or the developer's own token.",
    );
  if (principal.kind === "ingest") return { kind: "relay" };
  if (!principal.login)
    throw new ApiError("forbidden", "This token belongs to no user, so it may not send telemetry.");
  return { kind: "user", login: principal.login };
}

function send(reply: FastifyReply, status: number, b: EncodedBody): FastifyReply {
  return reply.code(status).type(b.contentType).send(b.body);
}

/**
 * A catalogue error as OTLP/HTTP answers it: the entry's status, code header and message, in a google.rpc.Status
 * body of the request's encoding (the body OTLP exporters read, not GitHub's).
 */
function sendError(reply: FastifyReply, encoding: OtlpEncoding, err: ApiError): FastifyReply {
  if (err.options.headers) reply.headers(err.options.headers);
  reply.header(ERROR_CODE_HEADER, err.code);
  return send(reply, err.status, statusBody(encoding, err.status, err.message));
}

/**
 * `POST /v1/metrics`, `/v1/logs`, `/v1/traces` (spec/otlp-ingest.md): OTLP/HTTP protobuf or JSON, gzip; the answer
 * is OTLP's, in the request's encoding, and only once what was taken is committed.
 */
export function registerOtlpRoutes(app: FastifyInstance, ctx: AppContext): void {
  let inFlight = 0;
  let lastForget = 0;
  const handle = async (signal: Signal, req: FastifyRequest, reply: FastifyReply) => {
    const encoding: OtlpEncoding = encodingOf(req.headers["content-type"]) ?? "json";
    if (inFlight >= OTLP_MAX_CONCURRENT) {
      return sendError(
        reply,
        encoding,
        new ApiError(
          "overloaded",
          `pilotlog is busy; nothing in this request was stored. Retry in ${OVERLOAD_RETRY_AFTER_S} seconds.`,
          { headers: { "retry-after": String(OVERLOAD_RETRY_AFTER_S) } },
        ),
      );
    }
    inFlight++;
    try {
      const now = ctx.clock.now();
      const sender = senderOf(await authenticate(ctx.db, req.headers.authorization, now));
      const { encoding: enc, batch } = decodeExport(
        signal,
        Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        { contentType: req.headers["content-type"], contentEncoding: req.headers["content-encoding"] },
        OTLP_LIMITS,
      );
      const today = utcDay(now);
      const earliestDay = windowOf(today, ctx.windowDays).first;
      const result = await ingestOtlp(ctx.db, batch, sender, { now, today, earliestDay });
      if (result.ignored > 0)
        req.log.debug(
          { signal, ignored: result.ignored, names: [...result.ignoredNames] },
          "OTLP items no table maps",
        );
      if (result.pending > 0)
        req.log.debug(
          { signal, pending: result.pending },
          "OTLP events of types this build does not store yet",
        );
      if (now.getTime() - lastForget > FORGET_EVERY_MS) {
        lastForget = now.getTime();
        await forgetOtlpState(ctx.db, now, earliestDay).catch((err: unknown) =>
          req.log.warn({ err }, "forgetting OTLP state"),
        );
      }
      const message = rejectionMessage(signal, batch.items.length, result.rejected);
      return send(reply, 200, exportResponse(signal, enc, result.rejected.length, message));
    } catch (err) {
      if (err instanceof OtlpDecodeError) return sendError(reply, encoding, fromCatalogued(err));
      if (err instanceof ApiError) return sendError(reply, encoding, err);
      if (isDatabaseUnavailable(err)) {
        req.log.warn({ reason: (err as Error).message }, "database unavailable");
        return sendError(
          reply,
          encoding,
          new ApiError(
            "service_unavailable",
            `The database is unavailable; nothing in this request was stored. Retry in ${UNAVAILABLE_RETRY_AFTER_S} seconds.`,
            { headers: { "retry-after": String(UNAVAILABLE_RETRY_AFTER_S) }, cause: err },
          ),
        );
      }
      throw err;
    } finally {
      inFlight--;
    }
  };
  for (const signal of ["metrics", "logs", "traces"] as const)
    app.post(`/v1/${signal}`, { config: { docs: DOCS.otlp } }, (req, reply) => handle(signal, req, reply));
}
