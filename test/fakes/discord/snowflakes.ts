// Ids the fake mints: real snowflakes (milliseconds since Discord's epoch, shifted left 22 bits), taken
// from the fake's clock so discord.js's `createdTimestamp` agrees with it, and strictly increasing even
// when a test's clock stands still or goes back, so ids sort in creation order as Discord's do.
import { randomBytes } from 'node:crypto';

const DISCORD_EPOCH_MS = 1_420_070_400_000n;

export class Snowflakes {
  private last = 0n;

  constructor(private readonly now: () => number) {}

  next(): string {
    const ms = BigInt(Math.max(0, Math.floor(this.now()) - Number(DISCORD_EPOCH_MS)));
    let id = ms << 22n;
    if (id <= this.last) id = this.last + 1n;
    this.last = id;
    return id.toString();
  }
}

/** An opaque token (interaction tokens, gateway session ids): URL-safe, unguessable enough for a test. */
export function opaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}
