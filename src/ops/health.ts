import type { Db } from "../db/db.js";
import { schemaLag } from "../db/migrate.js";

/** How long a readiness check waits for the database before calling it unreachable. */
export const READY_TIMEOUT_MS = 2000;

/**
 * Whether this server should get traffic: not shutting down, the database answers within `READY_TIMEOUT_MS`,
 * and every migration of this build is recorded (a database migrated further by a newer build still counts,
 * so servers of the previous version keep serving during a rolling upgrade).
 *
 * On PGlite this process alone holds the folder and migrated it at start, so the check runs once and is then
 * remembered: a probe never queues behind a day being processed on the single connection.
 */
export class Readiness {
  private pgliteChecked = false;

  constructor(
    private readonly db: Db,
    private readonly closing: () => boolean,
  ) {}

  async ready(): Promise<boolean> {
    if (this.closing()) return false;
    if (this.pgliteChecked) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => {
      timer = setTimeout(() => r(null), READY_TIMEOUT_MS);
    });
    try {
      const lag = await Promise.race([schemaLag(this.db), timeout]);
      if (lag === null) return false;
      const current = lag.every((name) => name.startsWith("+"));
      if (current && this.db.engine === "pglite") this.pgliteChecked = true;
      return current && !this.closing();
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
