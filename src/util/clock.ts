/** Every "now" in pilotlog comes from a Clock, so tests, the demo and sandboxes can move time. */
export interface Clock {
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that starts at `start` and then advances in real time (`--now`): replaying the past behaves like
 * living through it. `set` moves it again (the sandbox clock route uses it).
 */
export class OffsetClock implements Clock {
  private offsetMs: number;
  constructor(
    start: Date,
    private readonly base: Clock = systemClock,
  ) {
    this.offsetMs = start.getTime() - base.now().getTime();
  }
  now(): Date {
    return new Date(this.base.now().getTime() + this.offsetMs);
  }
  set(instant: Date): void {
    this.offsetMs = instant.getTime() - this.base.now().getTime();
  }
}

/** A clock that only moves when told to: for tests. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(instant: Date | string): void {
    this.current = typeof instant === "string" ? new Date(instant) : new Date(instant.getTime());
  }
}
