/** The channel on which every change to what is served is announced (heard by db/pg-listener.ts). */
export const GENERATION_CHANNEL = "pilotlog_generation";

/**
 * How writers announce a change to what is served. Each runs inside the writer's transaction: the sequence
 * moves the generation that readers compare (http/answer-cache.ts), and the notification, delivered at commit,
 * tells serving processes on PostgreSQL to compare again (db/pg-listener.ts). PGlite delivers it to no one.
 */
export const ADVANCE_DIRECTORY = `SELECT nextval('directory_generation'), pg_notify('${GENERATION_CHANNEL}', 'directory')`;

/** Sent by `processDay` beside its `nextval('processing_generation')`. */
export const ANNOUNCE_DAYS = `SELECT pg_notify('${GENERATION_CHANNEL}', 'days')`;
