// approve, reject, cancel, retry, accept, clarify and bump: the verbs that change a task someone
// else asked for. Deciding is for the owner and approvers; everyone else is refused politely.
import { PRIORITIES, parseTaskId, type Priority, type Task, type TaskId } from '../core/task.ts';
import type { Result } from '../core/result.ts';
import { canDecide, displayName, refusal } from './actor.ts';
import type { CommandContext } from './context.ts';
import { nextStep } from './next-step.ts';
import { errorReply, type Reply } from './reply.ts';
import { quoteForDisplay } from '../core/safe-text.ts';

export const DECISION_VERBS = ['approve', 'reject', 'cancel', 'retry', 'accept', 'bump'] as const;
export type DecisionVerb = (typeof DECISION_VERBS)[number];

const DONE_PHRASE: Record<DecisionVerb, string> = {
  approve: 'approved',
  reject: 'rejected',
  cancel: 'cancelled',
  retry: 'queued again',
  accept: 'accepted with checks failing',
  bump: 're-prioritised',
};

/** Verbs that may name several tasks at once: "cancel t-3 t-4". */
const MULTI: readonly DecisionVerb[] = ['approve', 'cancel', 'retry', 'accept'];

/** `said`: the word the person used, when it was another name for the verb ("resume" for approve). */
export async function decisionCommand(ctx: CommandContext, verb: DecisionVerb, args: string, said: string = verb): Promise<Reply> {
  const words = args.trim().split(/\s+/).filter(Boolean);
  const ids: TaskId[] = [];
  for (const w of words) {
    const id = parseTaskId(w.replace(/,$/, ''));
    if (!id) break;
    ids.push(id);
  }
  if (ids.length === 0) {
    const what = words[0] ? ` ("${quoteForDisplay(words[0], 30)}" is not a task id)` : '';
    return errorReply(`${said} needs a task id, like "${said} t-7"${what}; "queue" lists them`);
  }
  if (!canDecide(ctx.actor)) return errorReply(refusal(ctx.actor, `${said} tasks`));
  const rest = words.slice(ids.length);
  if (ids.length > 1 && !MULTI.includes(verb)) return errorReply(`${said} takes one task at a time`);
  const replies: Reply[] = [];
  for (const id of ids) replies.push(await decideOne(ctx, verb, id, rest));
  if (replies.length === 1) return replies[0] as Reply;
  return {
    kind: 'changed',
    ok: replies.every((r) => r.ok),
    text: replies.map((r) => r.text).join('\n'),
    tasks: replies.flatMap((r) => r.tasks),
    json: replies.flatMap((r) => r.tasks),
  };
}

async function decideOne(ctx: CommandContext, verb: DecisionVerb, id: TaskId, rest: string[]): Promise<Reply> {
  const by = displayName(ctx.actor);
  const { engine } = ctx;
  let result: Result<Task>;
  switch (verb) {
    case 'approve':
      result = await engine.approve(id, by);
      break;
    case 'reject': {
      const why = rest.join(' ').trim();
      result = await engine.reject(id, by, why || undefined);
      return changedReply(ctx, result, why ? `rejected: ${why}` : 'rejected');
    }
    case 'cancel':
      result = await engine.cancel(id, by);
      break;
    case 'retry': {
      const before = engine.liveTask(id) ?? (await engine.get(id));
      result = await engine.retry(id, by);
      if (before?.status === 'cancelled') return changedReply(ctx, result, 'is back (it was cancelled)');
      break;
    }
    case 'accept':
      result = await engine.accept(id, by);
      break;
    case 'bump': {
      const wanted = (rest[0] ?? 'high').toLowerCase();
      if (!(PRIORITIES as readonly string[]).includes(wanted)) return errorReply(`priority must be high, medium or low (got "${rest[0]}")`);
      const was = engine.liveTask(id)?.priority;
      result = await engine.setPriority(id, wanted as Priority, by);
      const waits = result.ok && result.value.status === 'awaiting_approval' ? `; say "approve ${id}" to start it` : '';
      return changedReply(ctx, result, `is now ${wanted} priority${was ? ` (was ${was})` : ''}`, waits);
    }
  }
  return changedReply(ctx, result, DONE_PHRASE[verb]);
}

export async function clarifyCommand(ctx: CommandContext, args: string): Promise<Reply> {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(args);
  const id = m ? parseTaskId(m[1] ?? '') : null;
  if (!id) return errorReply('clarify needs a task id and the detail to add, like "clarify t-7 use the v2 API"');
  const task = ctx.engine.liveTask(id) ?? (await ctx.engine.get(id));
  const isRequester = task?.origin.userId === ctx.actor.id && task.origin.adapter === ctx.actor.adapter;
  if (task && !canDecide(ctx.actor) && !isRequester) return errorReply(refusal(ctx.actor, `clarify ${id}`).replace('the owner or an approver', 'the owner, an approver or whoever asked for it'));
  const text = m?.[2] ?? '';
  // The intake (chrono-node) loads only for a clarification, not for every decision verb.
  const { titleFromClarification } = await import('../core/intake/index.ts');
  const title = task ? titleFromClarification(task.title, text, { now: ctx.engine.now(), timeZone: ctx.engine.policy.timeZone }) : null;
  const result = await ctx.engine.clarify(id, text, displayName(ctx.actor), { ...(title ? { title } : {}), decider: canDecide(ctx.actor) });
  if (!result.ok || !task) return changedReply(ctx, result, 'clarified');
  const after = result.value;
  const retitled = after.title !== task.title ? ` (was "${task.title}")` : '';
  const kept = new Set(after.safety.reasons.map((r) => `${r.kind}:${r.quote}`));
  const gone = task.safety.reasons.filter((r) => r.kind !== 'low_priority' && !kept.has(`${r.kind}:${r.quote}`));
  const answered = gone.length ? ` · that answers ${gone.map((r) => (r.kind === 'vague' ? 'what to build' : `"${r.quote}"`)).join(' and ')}` : '';
  return changedReply(ctx, result, `clarified${retitled}${answered}`);
}

function changedReply(ctx: CommandContext, result: Result<Task>, phrase: string, after = ''): Reply {
  if (!result.ok) return errorReply(capitalize(result.error.message));
  const { engine } = ctx;
  // Only the changed task is described, as it stands after the schedule pass that followed the change.
  const fresh = engine.liveTask(result.value.id) ?? result.value;
  const now = engine.now();
  const next = ['done', 'cancelled', 'rejected'].includes(fresh.status) ? '' : ` · ${nextStep(engine, fresh, engine.latestSchedule(), now)}${after}`;
  return { kind: 'changed', ok: true, text: `${fresh.id} "${fresh.title}" ${phrase}${next}`, tasks: [fresh], json: fresh };
}

/** Sentence case, except that a message opening with a task id keeps it as typed (t-7). */
const capitalize = (s: string): string => (/^t-\d/.test(s) ? s : s.charAt(0).toUpperCase() + s.slice(1));
