// When Discord refuses to edit a message, whatever the new content: the two walls a card edited all
// night runs into (30046 after too many edits of an old message, 50083 inside an archived thread),
// and editing somebody else's message (50005).
import { cannotEditOthers, maxEditsReached, threadArchived, type ApiAnswer } from './api-errors.ts';
import type { FakeThread } from './channels.ts';
import type { FakeDiscordMessage } from './message-store.ts';

export interface EditCap {
  /** Age (ms) from which edits are counted. Discord: one hour. */
  olderThanMs: number;
  /** Edits allowed once the message is that old; the next one gets 30046. */
  maxEdits: number;
  /** Retry-After of the 30046 answer, in seconds (default 60). */
  retryAfterSec?: number;
}

export interface EditContext {
  botUserId: string;
  now: number;
  /** The thread the message is in, when it is in one. */
  thread: FakeThread | undefined;
  editCap: EditCap | undefined;
}

export function editRefusal(m: FakeDiscordMessage, ctx: EditContext): ApiAnswer | undefined {
  if (m.authorId !== ctx.botUserId) return cannotEditOthers();
  // Only messages *inside* the thread: the starter message lives in the parent channel and stays editable.
  if (ctx.thread?.archived) return threadArchived();
  const cap = ctx.editCap;
  if (cap && ctx.now - m.createdAt >= cap.olderThanMs) {
    const lateEdits = m.edits.filter((e) => e.at - m.createdAt >= cap.olderThanMs).length;
    if (lateEdits >= cap.maxEdits) return maxEditsReached(cap.retryAfterSec ?? 60);
  }
  return undefined;
}
