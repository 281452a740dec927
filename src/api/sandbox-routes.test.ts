import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../../test/helpers/db.js";
import { type Harness, startHarness } from "../../test/helpers/harness.js";
import { buildWorld, simulate, worldDirectory } from "../simulate/index.js";
import { wipe } from "./sandbox-routes.js";

const TODAY = "2026-11-20";
const world = buildWorld({ users: 30, seed: "wipe", today: TODAY });
/** Kept by the reset, and `directory_writes`, where the reset's own truncation logs itself (so the next apply compares everything). */
const KEPT = ["directory_applied", "directory_writes", "report_link_secret", "schema_migrations"];

for (const backend of backends) {
  describe(`the sandbox reset on ${backend.name}`, { timeout: 120_000 }, () => {
    let h: Harness;
    const count = async (table: string) =>
      Number((await h.db.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`))[0]!.n);
    const tables = async () =>
      (
        await h.db.query<{ tablename: string }>(
          "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        )
      ).map((t) => t.tablename);

    beforeAll(async () => {
      h = await startHarness(backend, `${TODAY}T12:00:00Z`);
      const yaml = JSON.stringify(worldDirectory(world));
      await h.apply(yaml);
      for (const { events } of [...simulate(world)].slice(-3)) await h.send(world.tokens.relay, events);
      await h.process();
      // A served, gzipped report file too (report_file_gzip).
      const org = world.orgs.find((o) => o.policy === "enabled")!.login;
      const links = await h.get(
        `/orgs/${org}/copilot/metrics/reports/users-28-day/latest`,
        world.tokens.enterprise_owner,
      );
      for (const link of ((await links.json()) as { download_links: string[] }).download_links)
        await (await fetch(link, { headers: { "accept-encoding": "gzip" } })).arrayBuffer();
    }, 120_000);
    afterAll(() => h?.close());

    it("empties every table that holds data, the report tables included, and forgets the last apply", async () => {
      const before = await tables();
      const filled = [];
      for (const t of before) if (!KEPT.includes(t) && (await count(t)) > 0) filled.push(t);
      // The world left rows in the tables the first list of the reset forgot.
      expect(filled).toEqual(
        expect.arrayContaining(["user_day_records", "report_days", "fact_versions", "users"]),
      );

      await wipe(h.db);
      for (const t of before) if (!KEPT.includes(t)) expect({ t, n: await count(t) }).toEqual({ t, n: 0 });
      expect(await count("report_link_secret")).toBe(1);
      expect(await count("directory_applied")).toBe(1);

      // The same directory file applies again in full (no "unchanged" shortcut from before the reset).
      const again = await h.apply(JSON.stringify(worldDirectory(world)));
      expect(again.changed).toBe(true);
      expect(again.users.created).toBeGreaterThanOrEqual(30);
      expect(await count("users")).toBeGreaterThanOrEqual(30);
    });
  });
}
