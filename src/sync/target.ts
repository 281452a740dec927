import type { Db } from "../db/db.js";
import { applyDirectoryText } from "../directory/apply.js";
import { databaseSink } from "../import/sink.js";
import type { Clock } from "../util/clock.js";
import { utcDay } from "../util/time.js";
import type { SyncTarget } from "./run.js";
import { markSynced, readLocalState } from "./state.js";

/** A sync writing straight into the database (no server holds it, or the server's own scheduled sync). */
export function databaseTarget(db: Db, clock: Clock, windowDays: number): SyncTarget {
  return {
    readState: (api, scopes) => readLocalState(db, api, scopes),
    apply: (text, fileName) => {
      const now = clock.now();
      return applyDirectoryText(db, text, fileName, { today: utcDay(now), now, windowDays });
    },
    sink: (names) => databaseSink(db, names),
    markSynced: (api, rows, at) => markSynced(db, api, rows, at),
  };
}
