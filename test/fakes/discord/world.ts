// What the fake's parts share: its identities, its state (users, channels, messages), its clock and id
// source, and the gateway to tell the bot what changed. Handlers take a World rather than the whole fake.
import type { Channels } from './channels.ts';
import type { EditCap } from './edit-rules.ts';
import type { MessageStore } from './message-store.ts';
import type { Snowflakes } from './snowflakes.ts';
import type { Users } from './users.ts';

export interface World {
  appId: string;
  botUserId: string;
  guildId: string;
  users: Users;
  channels: Channels;
  store: MessageStore;
  ids: Snowflakes;
  now: () => number;
  editCap: EditCap | undefined;
  /** Sends an event to the bot's gateway sessions (kept for a later RESUME while disconnected). */
  dispatch: (t: string, d: Record<string, unknown>) => Promise<void>;
}
