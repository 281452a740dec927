// tsc compiles TypeScript only: copy the SQL migrations next to the compiled migrator. The folder is replaced
// whole, so a migration renamed or removed in src/ never lingers in dist/ to run a second time.
import { cpSync, rmSync } from "node:fs";

rmSync("dist/db/migrations", { recursive: true, force: true });
cpSync("src/db/migrations", "dist/db/migrations", { recursive: true });
