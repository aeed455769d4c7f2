// Turns what a person typed into a command. The first word picks the verb ("approve t-7",
// "status", "/build cancel t-3"); anything else is a build request (which may be a question).
import { CONFIRMS, hasPending, takeConfirmed } from './big-request.ts';
import { buildCommand, createTasks } from './build.ts';
import type { CommandContext } from './context.ts';
import { clarifyCommand, decisionCommand, DECISION_VERBS, type DecisionVerb } from './decisions.ts';
import { helpReply } from './help.ts';
import { queueReply } from './queue.ts';
import { asPersistError, persistMessage } from '../core/persist-error.ts';
import { errorReply, type Reply } from './reply.ts';
import { withoutUnsafeChars } from '../core/safe-text.ts';
import { statusReply } from './status.ts';
import { summaryReply } from './summary.ts';
import { projectsReply } from './projects.ts';
import { takeProjectAnswer } from './project-answer.ts';

const PREFIX = /^\s*\/(?:build|nightshift)\b\s*/i;

/** Other words people use for a verb. */
const ALIASES: Record<string, string> = { stop: 'cancel', kill: 'cancel', abort: 'cancel', ok: 'approve', deny: 'reject', resume: 'approve' };

/**
 * A decision verb followed by an id, by "all", or by nothing is the command; followed by other
 * words it may be a request ("retry logic for the webhook client") and goes to intake.
 */
const DECISION_ARGS = /^(?:$|(?:t-|#)?\d+\b|all\b|every)/i;

/**
 * `asRequest`: the words came with an explicit build verb (`/build a hello-world CLI`), so text that
 * is not a command is read as a request even when it does not start with a verb.
 */
export async function handleText(ctx: CommandContext, raw: string, opts: { asRequest?: boolean; confirmed?: boolean } = {}): Promise<Reply> {
  try {
    return await dispatch(ctx, raw, opts);
  } catch (e) {
    // NIGHTSHIFT_HOME cannot be written (a full disk): said plainly, with what did not happen.
    const persist = asPersistError(e);
    if (!persist) throw e;
    const verb = /^\s*(\S+)/.exec(raw.replace(PREFIX, ''))?.[1]?.toLowerCase() ?? '';
    const what = [...DECISION_VERBS, 'stop', 'kill', 'abort', 'ok', 'deny', 'clarify'].includes(verb) ? 'nothing was changed' : 'nothing was queued';
    return errorReply(persistMessage(persist, what));
  }
}

async function dispatch(ctx: CommandContext, raw: string, opts: { asRequest?: boolean; confirmed?: boolean }): Promise<Reply> {
  const text = raw.replace(PREFIX, '').trim();
  // A command is read without characters that only change how text is shown: "approve t-1" with
  // an invisible bidi override after it is still approve t-1. A request keeps its text as given.
  const m = /^(\S+)\s*([\s\S]*)$/.exec(withoutUnsafeChars(text).trim());
  const written = (m?.[1] ?? '').toLowerCase();
  const args = m?.[2] ?? '';
  const verb = DECISION_ARGS.test(args) && args !== '' ? (ALIASES[written] ?? written) : written;
  if ((DECISION_VERBS as readonly string[]).includes(verb) && DECISION_ARGS.test(args)) {
    return decisionCommand(ctx, verb as DecisionVerb, args, written);
  }
  const answer = takeProjectAnswer(ctx.actor, text, ctx.engine.now().getTime());
  if (answer) return buildCommand(ctx, `${answer.text} --project ${answer.project}`, { asRequest: true });
  if (CONFIRMS.test(text) && hasPending(ctx.actor, ctx.engine.now().getTime())) {
    const drafts = takeConfirmed(ctx.actor, ctx.engine.now().getTime());
    if (drafts) return createTasks(ctx, drafts, ctx.engine.now());
  }
  switch (verb) {
    case 'status':
      if (args === '' || /^(?:t-|#)?\d+$/i.test(args.trim())) return statusReply(ctx, args.trim() || undefined);
      break;
    case 'queue':
      if (args === '') return queueReply(ctx);
      break;
    case 'summary':
      if (args === '') return summaryReply(ctx);
      break;
    case 'help':
      if (args === '') return helpReply();
      break;
    case 'projects':
      if (args === '') return projectsReply(ctx);
      break;
    case 'clarify':
      return clarifyCommand(ctx, args);
  }
  return buildCommand(ctx, text, { ...(opts.asRequest ? { asRequest: true } : {}), ...(opts.confirmed ? { confirmed: true } : {}) });
}
