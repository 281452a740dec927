/** `npm run cycles` (part of `npm test`): no import cycles in the server (src/) or the dashboard (web/src). */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Folders own their parts; a cycle means two modules reach into each other (ARCHITECTURE.md).",
      from: {},
      to: { circular: true },
    },
    {
      name: "api-is-a-feature",
      severity: "error",
      comment:
        "src/api/ is the legacy-routes feature: only the composition root (src/http/app.ts) registers it; shared parts live in src/http/.",
      from: { path: "^src/", pathNot: ["^src/api/", "^src/http/app\\.ts$", "\\.test\\.ts$"] },
      to: { path: "^src/api/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
