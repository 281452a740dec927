import type { FastifyInstance } from "fastify";
import type { AppContext } from "../http/context.js";
import { registerOtlpRoutes } from "./route.js";
import { registerUsageRoute } from "./usage-route.js";

/** OpenTelemetry in: the three OTLP/HTTP routes and the usage route that shows what they kept. */
export function registerOtlp(app: FastifyInstance, ctx: AppContext): void {
  registerOtlpRoutes(app, ctx);
  registerUsageRoute(app, ctx);
}
