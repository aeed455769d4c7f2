// The platform-neutral answer every command returns. Adapters render it: plain text on the
// console, Block Kit on Slack, embeds on Discord. `text` is always a complete plain rendering.
import type { Summary } from '../core/summary.ts';
import type { Task } from '../core/task.ts';

export type ReplyKind =
  | 'created'
  | 'task'
  | 'status'
  | 'queue'
  | 'summary'
  | 'changed'
  | 'help'
  | 'hint'
  | 'error';

export interface Reply {
  kind: ReplyKind;
  ok: boolean;
  text: string;
  /** The tasks the reply is about, for adapters that draw cards. */
  tasks: Task[];
  /** Shown only to the person who asked (a refusal, a hint). */
  ephemeral?: boolean;
  summary?: Summary;
  /** What `--json` prints. */
  json?: unknown;
}

export const errorReply = (text: string): Reply => ({ kind: 'error', ok: false, text, tasks: [], ephemeral: true });
