// Intake: chat text in, task drafts (or a question, or a hint) out. Pure: the clock and the
// owner's zone come in through the context; nothing here reads the machine's zone or clock.
//
// Order of reading: mention and "/build" are cut (normalize.ts); one-word commands ("status",
// "t-7?") and questions ("what's in the queue?") are answered as questions (questions.ts); a
// list (bullets, "1. x 2. y" on one line, "these three: x, y and z", plain lines under "these
// things:") may become one task per item (split.ts); otherwise the message is one request, possibly
// an inline list (compose.ts). Wishes ("I need X", "X would be cool") are requests (wish.ts). docs/intake.md describes the whole behaviour.
import { assertTimeZone } from '../zone.ts';
import { fromList, fromSingle, whatHint } from './compose.ts';
import { hasRequestMarker, stripNoise, stripPoliteness } from './noise.ts';
import { normalizeMessage } from './normalize.ts';
import { CHAT_HINT, classifyQuestion, isQuestionForm, matchCommand, type Question } from './questions.ts';
import { findBulletList, findInlineList } from './split.ts';
import type { IntakeContext, Interpretation } from './types.ts';
import { splitVerb } from './verbs.ts';
import { asksForInfo, looksBuildable } from './wish.ts';

export type { IntakeContext, Interpretation, QuestionTopic } from './types.ts';
export { CHAT_HINT } from './questions.ts';

function asQuestion(q: Question): Interpretation {
  return q.taskId ? { kind: 'question', topic: q.topic, taskId: q.taskId } : { kind: 'question', topic: q.topic };
}

/**
 * True for "how's it going?", "what's queued" and "build status?"; false for "can you build X?".
 * A line ending in "?" is a request only when it asks politely for a verb ("can you build X?",
 * "please fix Y?") or wishes for something to build ("can we get a status page?"); otherwise it is
 * a question, never a task.
 */
function asksSomething(headline: string): boolean {
  const polite = stripPoliteness(headline);
  const { core, wished } = stripNoise(polite);
  // "can I get the queue?", "I want an update on the report": a wish for information is a question.
  if (wished && splitVerb(core) === null && asksForInfo(core)) return true;
  const wishesToBuild = wished && looksBuildable(core);
  if (isQuestionForm(polite) && !wishesToBuild) return true;
  if (!headline.trimEnd().endsWith('?')) return false;
  return !(wishesToBuild || (hasRequestMarker(headline) && splitVerb(core) !== null));
}

/**
 * Reads one chat message. Throws a RangeError only when ctx.timeZone is not a known IANA zone
 * (a configuration error); every problem with the message itself is returned as 'invalid'.
 */
export function interpretMessage(text: string, ctx: IntakeContext): Interpretation {
  assertTimeZone(ctx.timeZone);
  const { text: body, explicitBuild } = normalizeMessage(text);
  if (body === '') return { kind: 'unclear', hint: explicitBuild ? whatHint('build') : CHAT_HINT };
  if (!explicitBuild) {
    const command = matchCommand(body);
    if (command) return asQuestion(command);
    if (asksSomething(body.split('\n')[0] ?? '')) {
      const question = classifyQuestion(body);
      if (question) return asQuestion(question);
      return asksForInfo(stripNoise(stripPoliteness(body.split('\n')[0] ?? '')).core) ? { kind: 'question', topic: 'status' } : { kind: 'unclear', hint: CHAT_HINT };
    }
  }
  // One bullet line may hold a whole numbered list ("1. x 2. y 3. z"): the inline reading wins then.
  const bullets = findBulletList(body);
  const lists = bullets && bullets.items.length > 1 ? [bullets] : [findInlineList(body), bullets];
  for (const list of lists) {
    const read = list && fromList(list, ctx);
    if (read) return read;
  }
  return fromSingle(body, explicitBuild, ctx);
}

/**
 * What a clarification says a vague task is: "a markdown-to-HTML converter CLI in Node" on "Build
 * it" → "Build a markdown-to-HTML converter CLI in Node" (the task's verb lent to a clarification
 * without one); null when the clarification does not read as one thing to build.
 */
export function titleFromClarification(currentTitle: string, text: string, ctx: IntakeContext): string | null {
  const own = interpretMessage(text, ctx);
  if (own.kind === 'tasks' && own.drafts.length === 1) return own.drafts[0]?.title ?? null;
  // The verb is lent only to a thing to build ("a markdown-to-HTML converter CLI"), never to
  // "yes", "use the v2 API", "sorry, I meant…" or "the key is in .env now".
  const thing = text.trim();
  if (!/^(?:an?|the|some|my|our)\s/i.test(thing) || !looksBuildable(thing) || /\b(?:is|are|was|were)\b/i.test(thing)) return null;
  const lent = interpretMessage(`${splitVerb(currentTitle)?.verb ?? 'build'} ${thing}`, ctx);
  return lent.kind === 'tasks' && lent.drafts.length === 1 ? (lent.drafts[0]?.title ?? null) : null;
}
