import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from "fastify";
import { registerAdminRoutes } from "../api/admin-routes.js";
import { registerSeatRoutes } from "../api/companion/seats.js";
import { registerTeamRoutes } from "../api/companion/teams.js";
import { registerMetricsRoutes } from "../api/metrics-route.js";
import { registerSandboxRoutes } from "../api/sandbox-routes.js";
import { registerDashboard } from "../dashboard/route.js";
import { databaseFault, UNAVAILABLE_RETRY_AFTER_S } from "../db/unavailable.js";
import { registerGraphqlRoute } from "../graphql/route.js";
import { registerIngestRoute } from "../ingest/route.js";
import { isOpsPath, registerOpsRoutes } from "../ops/routes.js";
import { registerOtlp } from "../otlp/index.js";
import { registerReportFiles } from "../reports/files.js";
import { registerReportRoutes } from "../reports/routes.js";
import { addFormats } from "../schemas/formats.js";
import type { AppContext } from "./context.js";
import {
  ApiError,
  DOCS,
  databaseFaultError,
  ERROR_CODE_HEADER,
  errorBody,
  fromCatalogued,
  isCatalogued,
} from "./errors.js";
import { COMMON_HEADERS, CORS_HEADERS, PREFLIGHT_HEADERS, RequestIds, selectApiVersion } from "./github.js";
import { InFlight } from "./inflight.js";
import { clientErrorHandlerFor, LIMITS, type Timeouts } from "./limits.js";
import { bodyValidationError } from "./local-body.js";
import { LOCAL_PREFIX } from "./local-guard.js";

declare module "fastify" {
  interface FastifyContextConfig {
    docs?: string;
    /** The `resource` named in a body's validation errors (local routes). */
    resource?: string;
  }
  interface FastifyInstance {
    /** Handlers still running (graceful shutdown waits for them before closing the database). */
    inflight: InFlight;
  }
}

/**
 * Any error a route or Fastify raised, as its catalogue entry: ApiErrors as they are, errors of other modules
 * that name their entry (isCatalogued), database faults as 503, Fastify's own (FST_ERR_*) by their code; anything
 * else is a 500. The original error is kept as the cause.
 */
export function toApiError(err: unknown, resource: string): ApiError {
  if (err instanceof ApiError) return err;
  if (isCatalogued(err)) return fromCatalogued(err);
  const fault = databaseFault(err);
  if (fault) {
    const e = databaseFaultError(fault, UNAVAILABLE_RETRY_AFTER_S);
    return new ApiError(e.kind, e.message, { ...e.options, cause: err });
  }
  const f = err as { code?: string; statusCode?: number; message?: string; validation?: unknown };
  if (Array.isArray(f.validation)) {
    const e = bodyValidationError(f.validation, resource);
    return new ApiError(e.kind, e.message, { ...e.options, cause: err });
  }
  const message = String(f.message ?? "");
  switch (f.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(
        "payload_too_large",
        `Request body is larger than ${LIMITS.bodyBytes} bytes; send smaller batches.`,
        { cause: err },
      );
    // Fastify raises this for an empty Content-Type, which the routes answer 400 (as they always have).
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError("bad_request", message, { cause: err });
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError("bad_json", `Problems parsing JSON: ${message}`, { cause: err });
  }
  if (f.statusCode && f.statusCode >= 400 && f.statusCode < 500)
    return new ApiError("bad_request", message, { cause: err });
  return new ApiError("internal", undefined, { cause: err });
}

/**
 * Builds the HTTP application: GitHub's metrics routes (also under /api/v3), telemetry ingestion and the
 * local admin routes, with GitHub's headers and error bodies on every answer.
 */
export function buildApp(
  ctx: AppContext,
  options: {
    logger?: FastifyServerOptions["logger"];
    /** Shorter time limits, and how often Node checks them (its default: every 30 s); tests use these. */
    timeouts?: Timeouts & { checkEveryMs?: number };
  } = {},
): FastifyInstance {
  const timeouts = options.timeouts ?? LIMITS;
  const requestIds = new RequestIds();
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => requestIds.next(),
    // Local route bodies are checked as sent: no coercion ("1" is not 1), no silently dropped fields.
    // pilotlog's formats (day, rfc3339…) are known to route schemas too (src/schemas/formats.ts).
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false },
      plugins: [
        <A extends Parameters<typeof addFormats>[0]>(ajv: A): A => {
          addFormats(ajv);
          return ajv;
        },
      ],
    },
    bodyLimit: LIMITS.bodyBytes,
    requestTimeout: timeouts.requestMs,
    // A request without Host is served (links then use the address it came in on) rather than refused bodiless.
    http: {
      maxHeaderSize: LIMITS.headerBytes,
      headersTimeout: timeouts.headersMs,
      requireHostHeader: false,
      ...(options.timeouts?.checkEveryMs
        ? { connectionsCheckingInterval: options.timeouts.checkEveryMs }
        : {}),
    },
    clientErrorHandler: clientErrorHandlerFor(timeouts),
    // Requests arriving during shutdown get GitHub's 503 body from the onRequest hook below, not Fastify's.
    return503OnClosing: false,
    // Long path segments reach the routes, which answer 404 for names that cannot exist.
    routerOptions: { maxParamLength: 2000 },
    // Malformed URLs get GitHub's body too, never the framework's.
    frameworkErrors: (err, _req, res) => {
      const e = new ApiError("malformed_request", `Bad request: ${err.message}`, { cause: err });
      (res as unknown as FastifyReply)
        .code(e.status)
        .type("application/json; charset=utf-8")
        .header(ERROR_CODE_HEADER, e.code)
        .send(errorBody(e));
    },
  });

  // Node answers an Expect other than 100-continue itself, with no body, unless someone listens.
  app.server.on("checkExpectation", (req, res) => {
    const e = new ApiError(
      "expectation_failed",
      `Expectation Failed: "Expect: ${String(req.headers.expect).slice(0, 40)}" is not supported; only 100-continue is`,
    );
    const body = JSON.stringify(errorBody(e));
    res
      .writeHead(e.status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
        [ERROR_CODE_HEADER]: e.code,
        connection: "close",
      })
      .end(body);
  });

  // Bodies are read raw: ingestion decodes NDJSON/JSON/gzip itself, with its own limits and messages.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  const inflight = new InFlight();
  app.decorate("inflight", inflight);
  // One hook per stage, in callback style: every request runs them, and an async hook costs a promise and a
  // microtask turn each (the serve bench's answers are ~40 µs of CPU in all).
  app.addHook("onRequest", (req, reply, done) => {
    inflight.start();
    reply.header("x-github-request-id", req.id);
    reply.headers(COMMON_HEADERS);
    // The local routes are for this machine's tools: no CORS, so no other origin's page may read or preflight them.
    if (!req.url.startsWith(LOCAL_PREFIX)) {
      reply.headers(CORS_HEADERS);
      if (!req.url.startsWith("/telemetry/") && !req.url.startsWith("/v1/"))
        reply.header("x-github-api-version-selected", selectApiVersion(req.headers["x-github-api-version"]));
    }
    if (inflight.closing && !isOpsPath(req.url)) {
      done(
        new ApiError("service_unavailable", "pilotlog is shutting down; retry in a few seconds.", {
          headers: { "retry-after": "5" },
        }),
      );
      return;
    }
    done();
  });
  // onSend, not onResponse: it runs once the handler has its answer, even when the client has already left.
  app.addHook("onSend", (_req, reply, payload, done) => {
    inflight.end();
    // Keep-alive connections would hold shutdown open until the client drops them.
    if (inflight.closing) reply.header("connection", "close");
    done(null, payload);
  });

  registerOpsRoutes(app, ctx);

  const throttle = ctx.authThrottle;

  app.setErrorHandler((err, req, reply) => {
    const fault = err instanceof ApiError ? null : databaseFault(err);
    let apiErr = toApiError(err, req.routeOptions.config?.resource ?? "Body");
    if (fault) req.log.warn({ err }, `database ${fault}`);
    // The cause is for the operator: logged (at debug for the client's own mistakes), never sent.
    else if (apiErr.kind !== "internal" && apiErr.cause !== undefined)
      req.log.debug({ err: apiErr.cause, code: apiErr.code }, apiErr.message);
    // Only requests that fail authentication are locked out: a valid token is always served, so a relay or
    // dashboard sharing an address with someone guessing tokens keeps working.
    if (throttle && apiErr.kind === "bad_credentials") {
      const wait = throttle.refuse(req.ip);
      if (wait > 0)
        apiErr = new ApiError("login_attempts_exceeded", undefined, {
          headers: { "retry-after": String(wait) },
        });
    }
    if (apiErr.kind === "internal") req.log.error({ err }, "unexpected error");
    if (apiErr.options.headers) reply.headers(apiErr.options.headers);
    reply.code(apiErr.status).type("application/json; charset=utf-8").header(ERROR_CODE_HEADER, apiErr.code);
    return errorBody(apiErr, req.routeOptions.config?.docs ?? DOCS.rest);
  });

  app.setNotFoundHandler(async () => {
    throw new ApiError("route_not_found");
  });

  for (const prefix of ["", "/api/v3"]) {
    app.register(
      async (scoped) => {
        registerMetricsRoutes(scoped, ctx);
        registerSeatRoutes(scoped, ctx);
        registerTeamRoutes(scoped, ctx);
        registerReportRoutes(scoped, ctx);
      },
      { prefix },
    );
  }
  registerReportFiles(app, ctx);
  registerGraphqlRoute(app, ctx);
  registerIngestRoute(app, ctx);
  // Preflights as api.github.com answers them, on every path but the local routes (those get the 404).
  app.options("*", async (req, reply) => {
    if (req.url.startsWith(LOCAL_PREFIX)) throw new ApiError("route_not_found");
    reply.headers(PREFLIGHT_HEADERS);
    return reply.code(204).send();
  });
  registerOtlp(app, ctx);
  registerAdminRoutes(app, ctx);
  registerSandboxRoutes(app, ctx);
  registerDashboard(app, ctx);
  return app;
}
