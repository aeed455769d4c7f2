// A request whose project was asked about waits, in memory, for its asker to name one: "api-server"
// then queues it there. Like big-request.ts, a restart forgets the question (nothing was queued).
import type { Actor } from './actor.ts';

const PENDING_MS = 10 * 60_000;

interface Pending {
  text: string;
  candidates: readonly string[];
  until: number;
}

const pending = new Map<string, Pending>();
const keyOf = (actor: Actor): string => `${actor.adapter}:${actor.id}`;

export function awaitProjectAnswer(actor: Actor, text: string, candidates: readonly string[], now: number): void {
  pending.set(keyOf(actor), { text, candidates, until: now + PENDING_MS });
}

/** When this person was asked which project, and their message is one of the names offered: the request and the name (taken once). */
export function takeProjectAnswer(actor: Actor, message: string, now: number): { text: string; project: string } | null {
  const p = pending.get(keyOf(actor));
  if (!p) return null;
  if (p.until < now) {
    pending.delete(keyOf(actor));
    return null;
  }
  const said = message.trim().replace(/^(?:in\s+)?(?:the\s+)?/i, '').replace(/(?:\s+(?:project|repo|please))*[.!]*$/i, '').trim().toLowerCase();
  const project = p.candidates.find((c) => c.toLowerCase() === said);
  if (!project) return null;
  pending.delete(keyOf(actor));
  return { text: p.text, project };
}
