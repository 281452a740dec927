/**
 * What the tab remembers, in sessionStorage only: it is gone when the tab closes, and other tabs and sites
 * never see the token.
 */

const TOKEN = "pilotlog.token";
const RECENT = "pilotlog.recent";

export interface Recent {
  enterprises: string[];
  orgs: string[];
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN);
}

export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN, token);
  else sessionStorage.removeItem(TOKEN);
}

export function recent(): Recent {
  try {
    const r = JSON.parse(sessionStorage.getItem(RECENT) ?? "{}") as Partial<Recent>;
    return {
      enterprises: Array.isArray(r.enterprises) ? r.enterprises.filter((x) => typeof x === "string") : [],
      orgs: Array.isArray(r.orgs) ? r.orgs.filter((x) => typeof x === "string") : [],
    };
  } catch {
    return { enterprises: [], orgs: [] };
  }
}

/** Remembers an enterprise or organization name that answered (most recent first, at most 8). */
export function remember(kind: keyof Recent, name: string): Recent {
  const r = recent();
  r[kind] = [name, ...r[kind].filter((x) => x.toLowerCase() !== name.toLowerCase())].slice(0, 8);
  sessionStorage.setItem(RECENT, JSON.stringify(r));
  return r;
}
