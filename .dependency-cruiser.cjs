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
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
