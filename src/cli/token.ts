import type { Command } from "commander";
import type { Db } from "../db/db.js";
import type { TokenKind } from "../directory/model.js";
import {
  checkTokenId,
  createToken,
  listTokens,
  type NewToken,
  revokeToken,
  type TokenInfo,
  TokenRequestError,
  validateNewToken,
} from "../directory/token-store.js";
import { clockFrom, commonOptions, configFrom, fail, onServerOrDatabase } from "./shared.js";

function parsePermissions(text: string | undefined): Record<string, "read" | "write"> {
  const out: Record<string, "read" | "write"> = {};
  for (const part of (text ?? "").split(",").filter(Boolean)) {
    const [name, level] = part.split("=");
    if (!name || (level !== "read" && level !== "write")) {
      throw new TokenRequestError(
        `--permissions takes name=read or name=write pairs, e.g. copilot_business=read; got "${part}"`,
      );
    }
    out[name] = level;
  }
  return out;
}

function describe(t: TokenInfo): string {
  const who = t.user ?? t.resource_owner ?? "(relay)";
  const grants = t.scopes.length
    ? t.scopes.join(",")
    : Object.entries(t.permissions)
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "-";
  const state = t.revoked_at
    ? `revoked ${t.revoked_at}`
    : t.expires_at
      ? `expires ${t.expires_at}`
      : "active";
  return `${t.id}  ${t.kind.padEnd(16)} ${who.padEnd(20)} ${grants.padEnd(30)} ${state}${t.label ? `  (${t.label})` : ""}`;
}

/** Runs a token operation on the running server, or on the database when none holds the folder. */
async function perform<T>(
  flags: Record<string, string>,
  route: string,
  body: unknown,
  local: (db: Db) => Promise<T>,
): Promise<T> {
  return (await onServerOrDatabase(configFrom(flags), "token", route, body, local)).value;
}

function guard<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof TokenRequestError) {
        process.stderr.write(`pilotlog: ${err.message}\n`);
        process.exitCode = 1;
      } else fail(err);
    }
  };
}

export function tokenCommand(program: Command): void {
  const token = program
    .command("token")
    .description("create, list and revoke API tokens (secrets are stored hashed)");
  commonOptions(token.command("create"))
    .requiredOption("--kind <kind>", "classic | oauth | fine_grained | app_user | app_installation | ingest")
    .option("--user <login>", "the user the token acts for (not for app_installation and ingest)")
    .option("--scopes <list>", "classic/oauth scopes, comma-separated, e.g. read:org,manage_billing:copilot")
    .option("--resource-owner <org>", "fine_grained/app tokens: the organization they act on")
    .option("--permissions <list>", "fine_grained/app tokens: e.g. copilot_business=read")
    .option("--expires-at <timestamp>", "when it stops working")
    .option("--label <text>", "a note to recognise it in `token list`")
    .action(
      guard(async (flags: Record<string, string>) => {
        const spec: NewToken = {
          kind: flags.kind as TokenKind,
          user: flags.user ?? null,
          scopes: (flags.scopes ?? "").split(",").filter(Boolean),
          resourceOwner: flags.resourceOwner ?? null,
          permissions: parsePermissions(flags.permissions),
          expiresAt: flags.expiresAt ?? null,
          label: flags.label ?? null,
        };
        // Everything but the user's and organization's existence is checked before the database is opened.
        validateNewToken(spec);
        const made = await perform(flags, "/_pilotlog/admin/tokens/create", spec, (db) =>
          db.transaction((tx) => createToken(tx, spec)),
        );
        process.stdout.write(
          `Created ${spec.kind} token ${made.id}. Its secret, shown only this once:\n\n  ${made.secret}\n\n` +
            'Use it as "Authorization: Bearer <secret>". Revoke it with `npx pilotlog token revoke ' +
            `${made.id}\`.\n`,
        );
      }),
    );
  commonOptions(token.command("list"))
    .description("list tokens (ids, kinds, users, grants; never secrets)")
    .action(
      guard(async (flags: Record<string, string>) => {
        const tokens = await perform(flags, "/_pilotlog/admin/tokens/list", {}, (db) => listTokens(db));
        process.stdout.write(
          tokens.length
            ? `${tokens.map(describe).join("\n")}\n`
            : "No tokens yet: add some with `npx pilotlog apply FILE` or `npx pilotlog token create`.\n",
        );
      }),
    );
  commonOptions(token.command("revoke").argument("<id>", "the id shown by `token list`"))
    .description("revoke a token: the next request with it gets 401 Bad credentials")
    .action(
      guard(async (id: string, flags: Record<string, string>) => {
        const now = clockFrom(configFrom(flags)).now();
        checkTokenId(id);
        const info = await perform(flags, "/_pilotlog/admin/tokens/revoke", { id }, (db) =>
          db.transaction((tx) => revokeToken(tx, id, now)),
        );
        process.stdout.write(`Revoked ${describe(info)}\n`);
      }),
    );
}
