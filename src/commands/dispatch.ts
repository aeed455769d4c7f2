// Turns what a person typed into a command. The first word picks the verb ("approve t-7",
// "status", "/build cancel t-3"); anything else is a build request (which may be a question).
import { buildCommand } from './build.ts';
import type { CommandContext } from './context.ts';
import { clarifyCommand, decisionCommand, DECISION_VERBS, type DecisionVerb } from './decisions.ts';
import { helpReply } from './help.ts';
import { queueReply } from './queue.ts';
import type { Reply } from './reply.ts';
import { statusReply } from './status.ts';
import { summaryReply } from './summary.ts';

const PREFIX = /^\s*\/(?:build|nightshift)\b\s*/i;

export async function handleText(ctx: CommandContext, raw: string): Promise<Reply> {
  const text = raw.replace(PREFIX, '').trim();
  const m = /^(\S+)\s*([\s\S]*)$/.exec(text);
  const verb = (m?.[1] ?? '').toLowerCase();
  const args = m?.[2] ?? '';
  if ((DECISION_VERBS as readonly string[]).includes(verb) && (args === '' || /^(?:t-|#)?\d+\b/i.test(args))) {
    return decisionCommand(ctx, verb as DecisionVerb, args);
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
    case 'clarify':
      return clarifyCommand(ctx, args);
  }
  return buildCommand(ctx, text);
}
