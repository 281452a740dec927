/**
 * How writers announce a change to what is served. Each runs inside the writer's transaction: the sequence
 * moves the generation that readers compare (api/answer-cache.ts), and the notification, delivered at commit,
 * tells serving processes on PostgreSQL to compare again (db/pg-listener.ts). PGlite delivers it to no one.
 */
export const ADVANCE_DIRECTORY =
  "SELECT nextval('directory_generation'), pg_notify('pilotlog_generation', 'directory')";

/** Sent by `processDay` beside its `nextval('processing_generation')`. */
export const ANNOUNCE_DAYS = "SELECT pg_notify('pilotlog_generation', 'days')";
