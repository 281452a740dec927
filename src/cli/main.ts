import { readFileSync } from "node:fs";
import { Command } from "commander";
import { closest } from "../util/suggest.js";
import { applyCommand } from "./apply.js";
import { backupCommand, restoreCommand } from "./backup.js";
import { demoCommand } from "./demo.js";
import { importCommand } from "./import.js";
import { processCommand } from "./process.js";
import { serveCommand } from "./serve.js";
import { syncCommand } from "./sync.js";
import { tokenCommand } from "./token.js";

// dist/cli/main.js and src/cli/main.ts both sit two folders below package.json.
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command("pilotlog")
  .description(
    "Self-hosted GitHub Copilot metrics API: ingest IDE telemetry, process days, serve GitHub's routes",
  )
  .version(version, "-V, --version", "print pilotlog's version")
  .showHelpAfterError("(run `npx pilotlog --help` for the commands)");

serveCommand(program);
applyCommand(program);
processCommand(program);
tokenCommand(program);
demoCommand(program);
backupCommand(program);
restoreCommand(program);
importCommand(program);
syncCommand(program);

// `serve` is the default command, so commander would hand a mistyped command to it as an argument.
const first = process.argv[2];
const names = program.commands.map((c) => c.name());
if (first !== undefined && !first.startsWith("-") && first !== "help" && !names.includes(first)) {
  const near = closest(first, names);
  process.stderr.write(
    `pilotlog: unknown command "${first}"${near ? `; did you mean "${near}"?` : "."} The commands are ${names.join(", ")} (see \`npx pilotlog --help\`).\n`,
  );
  process.exitCode = 1;
} else {
  await program.parseAsync(process.argv);
}
