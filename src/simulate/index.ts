/** The activity simulator as a library: deterministic worlds and event streams at any scale, no server needed. */
export { simulate, userDay, type WireEvent } from "./activity.js";
export { Rng } from "./random.js";
export { buildWorld, type SimUser, type World, worldDirectory, worldRoutes } from "./world.js";
