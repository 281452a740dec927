import type { FastifyInstance } from "fastify";
import { authenticate } from "../http/auth.js";
import type { AppContext } from "../http/context.js";
import { ApiError, DOCS, fromCatalogued } from "../http/errors.js";
import { windowOf } from "../rollup/window.js";
import { utcDay } from "../util/time.js";
import { BodyError, type BodyItem, decodeBody } from "./body.js";
import { type OwnedEvent, storeEvents } from "./store.js";
import { validateEvent } from "./validate.js";

export const INGEST_LIMITS = { maxBytes: 10 * 1024 * 1024, maxEvents: 10_000 };

interface Rejection {
  index: number;
  id?: string;
  message: string;
}

/** `POST /telemetry/v1/events` (spec/telemetry-events.md): 202 only once accepted events are committed. */
export function registerIngestRoute(app: FastifyInstance, ctx: AppContext): void {
  app.post("/telemetry/v1/events", { config: { docs: DOCS.telemetry } }, async (req, reply) => {
    const now = ctx.clock.now();
    const principal = await authenticate(ctx.db, req.headers.authorization, now);
    if (principal.kind === "app_installation") {
      throw new ApiError(
        "forbidden",
        "An installation token acts for an organization, not a person, so it may not send telemetry; use an ingest token or the user's own token.",
        { documentationUrl: DOCS.telemetry },
      );
    }
    const relay = principal.kind === "ingest";
    let items: BodyItem[];
    try {
      items = decodeBody(
        Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        {
          contentType: req.headers["content-type"],
          contentEncoding: req.headers["content-encoding"],
        },
        INGEST_LIMITS,
      );
    } catch (err) {
      if (err instanceof BodyError) throw fromCatalogued(err, { documentationUrl: DOCS.telemetry });
      throw err;
    }
    const today = utcDay(now);
    const earliestDay = windowOf(today, ctx.windowDays).first;
    const rejected: Rejection[] = [];
    const owned: OwnedEvent[] = [];
    for (const item of items) {
      if ("error" in item) {
        rejected.push({ index: item.index, message: item.error });
        continue;
      }
      const v = validateEvent(item.value, { now, earliestDay });
      if (!v.ok) {
        rejected.push({ index: item.index, ...(v.id !== undefined ? { id: v.id } : {}), message: v.message });
        continue;
      }
      const e = v.event;
      if (relay) {
        if (!e.user) {
          rejected.push({
            index: item.index,
            id: e.id,
            message: '"user" is required with an ingest token: name the login the event belongs to',
          });
          continue;
        }
        owned.push({ event: e, login: e.user, index: item.index });
      } else {
        const own = principal.login!;
        if (e.user && e.user.toLowerCase() !== own.toLowerCase()) {
          rejected.push({
            index: item.index,
            id: e.id,
            message: `the event names user "${e.user}" but the token belongs to "${own}"; send other users' events with an ingest token`,
          });
          continue;
        }
        owned.push({ event: e, login: own, index: item.index });
      }
    }
    const result = await ctx.db.transaction((tx) => storeEvents(tx, owned, today, ctx.db.engine));
    if (result.rejected.length > 0) {
      rejected.push(...result.rejected);
      rejected.sort((x, y) => x.index - y.index);
    }
    ctx.metrics?.ingested("native", { ...result, rejected: rejected.length });
    reply.code(202).type("application/json; charset=utf-8");
    return { accepted: result.accepted, duplicates: result.duplicates, dropped: result.dropped, rejected };
  });
}
