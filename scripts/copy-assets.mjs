// tsc compiles TypeScript only: copy the SQL migrations next to the compiled migrator.
import { cpSync } from "node:fs";

cpSync("src/db/migrations", "dist/db/migrations", { recursive: true });
