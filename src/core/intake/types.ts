// The shapes intake reads and returns. Kept apart from index.ts so the helpers can use them
// without importing the module that imports them.
import type { TaskDraft } from '../task.ts';

/** What intake needs from the world: the clock and the owner's zone, both passed in. */
export interface IntakeContext {
  /** The moment the message arrived. */
  now: Date;
  /** IANA zone of the owner (e.g. 'America/Chicago'): every wall-clock word is read in it. */
  timeZone: string;
}

export type QuestionTopic = 'status' | 'queue' | 'summary' | 'help';

export type Interpretation =
  | { kind: 'tasks'; drafts: TaskDraft[] }
  | { kind: 'question'; topic: QuestionTopic; taskId?: string }
  /** Chit-chat, an empty message or a request with nothing to build: a hint of what to say. */
  | { kind: 'unclear'; hint: string }
  /** A request we understood but cannot accept as written (a bad flag, a past deadline). */
  | { kind: 'invalid'; error: string };
