import pg from "pg";
import { GENERATION_CHANNEL } from "./generation.js";

/**
 * A dedicated connection that LISTENs on the generation channel and counts what it hears. While it is down the
 * count is unknown (NaN); reconnecting counts as a change, since announcements may have been missed meanwhile.
 */
export class GenerationListener {
  private client: pg.Client | null = null;
  private heard = 0;
  private up = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly retryMs = 1000,
  ) {
    void this.connect();
  }

  /** Announcements heard so far, or NaN while not listening. */
  count(): number {
    return this.up ? this.heard : Number.NaN;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    const down = () => {
      this.up = false;
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      if (!this.closed && !this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.connect();
        }, this.retryMs);
        this.retry.unref();
      }
    };
    client.on("error", down);
    client.on("end", down);
    client.on("notification", () => {
      this.heard++;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${GENERATION_CHANNEL}`);
      if (this.closed) return void client.end().catch(() => undefined);
      this.heard++;
      this.up = true;
    } catch {
      down();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.up = false;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}
