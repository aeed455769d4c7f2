// A message that lists very many things (a pasted backlog, a list of 10,000 bullets) is asked about
// before anything is queued: one slip of the clipboard should not fill the queue for the night.
// Up to ASK_ABOVE tasks are queued at once; above that, nightshift asks, and the same person's
// "yes" within ten minutes queues them (`nightshift add --yes` in one go); above MAX_PER_MESSAGE it
// refuses and says how to ask instead. Pending asks are kept in memory only: they are questions,
// not tasks, and a restart simply forgets them (nothing was queued).
import type { TaskDraft } from '../core/task.ts';
import type { Actor } from './actor.ts';

export const ASK_ABOVE = 20;
export const MAX_PER_MESSAGE = 200;
const PENDING_MS = 10 * 60_000;

interface Pending {
  drafts: TaskDraft[];
  until: number;
}

const pending = new Map<string, Pending>();
const keyOf = (actor: Actor): string => `${actor.adapter}:${actor.id}`;

/** "yes", "yes please", "queue them", "go ahead": the answer to the question asked below. */
export const CONFIRMS = /^\s*(?:y|yes|yep|yeah|sure|ok(?:ay)?|confirm(?:ed)?|go\s+ahead|do\s+it|queue\s+(?:them|them\s+all|all(?:\s+of\s+them)?))\b[\s!.,]*(?:please|thanks)?[\s!.]*$/i;

export function tooManyText(count: number): string {
  return `That lists ${count} things; one message can queue at most ${MAX_PER_MESSAGE}. Nothing was queued. Split the list, or ask for one task with the list as its spec ("build <what>:" with the list below it).`;
}

/** Remembers drafts to confirm; returns the question to ask. */
export function askToConfirm(actor: Actor, drafts: TaskDraft[], now: number, viaCli: boolean): string {
  pending.set(keyOf(actor), { drafts, until: now + PENDING_MS });
  const sample = drafts.slice(0, 3).map((d) => `"${d.title}"`).join(', ');
  const how = viaCli ? 'Run the same command with --yes to queue them' : 'Say "yes" within 10 minutes to queue them';
  return `That lists ${drafts.length} things to build (${sample}, …). Queue all ${drafts.length} as separate tasks? ${how}, or send a shorter list. Nothing is queued yet.`;
}

/** The drafts this person was asked about, taken (once), or null when there is nothing to confirm. */
export function takeConfirmed(actor: Actor, now: number): TaskDraft[] | null {
  const p = pending.get(keyOf(actor));
  pending.delete(keyOf(actor));
  return p && p.until >= now ? p.drafts : null;
}

/** True when this person has a question waiting for their "yes". */
export function hasPending(actor: Actor, now: number): boolean {
  const p = pending.get(keyOf(actor));
  return p !== undefined && p.until >= now;
}
