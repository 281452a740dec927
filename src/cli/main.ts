import { readFileSync } from "node:fs";
import { Command } from "commander";
import { closest } from "../util/suggest.js";

/**
 * Each command's module, in the order `--help` lists them. Only the named command's module is loaded when the
 * command line names one: `import` then leaves the server's modules (Fastify, the routes: ≈ 40 MB of RSS) unloaded,
 * which counts against an import's memory bound. Anything else (help, the default `serve`, a mistyped name) loads all.
 */
type Register = (program: Command) => void;
const COMMANDS: [name: string, load: () => Promise<Register>][] = [
  ["serve", async () => (await import("./serve.js")).serveCommand],
  ["apply", async () => (await import("./apply.js")).applyCommand],
  ["process", async () => (await import("./process.js")).processCommand],
  ["token", async () => (await import("./token.js")).tokenCommand],
  ["demo", async () => (await import("./demo.js")).demoCommand],
  ["backup", async () => (await import("./backup.js")).backupCommand],
  ["restore", async () => (await import("./backup.js")).restoreCommand],
  ["import", async () => (await import("./import.js")).importCommand],
  ["sync", async () => (await import("./sync.js")).syncCommand],
];

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

const first = process.argv[2];
const names = COMMANDS.map(([name]) => name);
const named = COMMANDS.find(([name]) => name === first);
for (const [, load] of named ? [named] : COMMANDS) (await load())(program);

// `serve` is the default command, so commander would hand a mistyped command to it as an argument.
if (first !== undefined && !first.startsWith("-") && first !== "help" && !names.includes(first)) {
  const near = closest(first, names);
  process.stderr.write(
    `pilotlog: unknown command "${first}"${near ? `; did you mean "${near}"?` : "."} The commands are ${names.join(", ")} (see \`npx pilotlog --help\`).\n`,
  );
  process.exitCode = 1;
} else {
  await program.parseAsync(process.argv);
}
