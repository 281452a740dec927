import { Command } from "commander";
import { applyCommand } from "./apply.js";
import { demoCommand } from "./demo.js";
import { importCommand } from "./import.js";
import { processCommand } from "./process.js";
import { serveCommand } from "./serve.js";
import { tokenCommand } from "./token.js";

const program = new Command("pilotlog")
  .description(
    "Self-hosted GitHub Copilot metrics API: ingest IDE telemetry, process days, serve GitHub's routes",
  )
  .showHelpAfterError("(run `npx pilotlog --help` for the commands)");

serveCommand(program);
applyCommand(program);
processCommand(program);
tokenCommand(program);
demoCommand(program);
importCommand(program);

await program.parseAsync(process.argv);
