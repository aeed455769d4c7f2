// Messages that ask rather than request: "status", "what's in the queue?", "what's t-7 doing?".
// A question is never a task. Topics are matched in this order: a task id (→ status of that
// task), help, summary, queue, status; a question that matches none is 'unclear'.
import { formatTaskId } from '../task.ts';
import type { QuestionTopic } from './types.ts';

export interface Question {
  topic: QuestionTopic;
  taskId?: string;
}

export const CHAT_HINT = 'Say "build <what> [by <when>]", or "status" / "queue" / "help".';

const TASK_ID = /(?:^|[^\w-])(?:t-|#)(\d+)\b/i;

/** The one-word commands, optionally slashed and followed by a task id: "status", "/queue", "status t-7", "t-7?". */
const COMMAND = /^\/?(status|queue|summary|help)\b[\s?!.:]*((?:of\s+|for\s+)?(?:t-|#)?\d+)?(?:[\s,]*(?:please|pls|thanks|thx))?[\s?!.]*$/i;
const BARE_ID = /^(?:t-|#)(\d+)\s*[?!.]*$/i;

export function matchCommand(text: string): Question | null {
  const t = text.trim();
  const id = BARE_ID.exec(t);
  if (id?.[1]) return { topic: 'status', taskId: formatTaskId(Number(id[1])) };
  const m = COMMAND.exec(t);
  if (!m?.[1]) return null;
  const topic = m[1].toLowerCase() as QuestionTopic;
  const num = m[2] ? /\d+/.exec(m[2])?.[0] : undefined;
  return num ? { topic, taskId: formatTaskId(Number(num)) } : { topic };
}

/** Question openers: these start a question even without a "?". */
const OPENER =
  /^(?:how|what|what['’]?s|whats|when|where|why|who|which|is|are|was|were|did|does|has|have|had|any|anything|got|(?:do|can|could|will|would)\s+(?:you|we|i|they)\s+(?:know|tell|see|show|think|remember|have)|show|list|tell|give)\b/i;

export function isQuestionForm(text: string): boolean {
  return OPENER.test(text.trim());
}

const TOPICS: Array<[QuestionTopic, RegExp]> = [
  ['help', /\bhelp\b|\bwhat\s+can\s+you\s+do\b|\bhow\s+do\s+(?:i|you)\s+use\b|\bcommands?\b|\bhow\s+does\s+this\s+work\b/i],
  [
    'summary',
    /\blast\s+night\b|\byesterday\b|\bovernight\b|\bsummary\b|\brecap\b|\bwhat\s+did\s+you\s+(?:build|do|finish|ship|make)\b|\bwhat\s+got\s+(?:done|built)\b|\bwhile\s+i\s+(?:was\s+)?(?:slept|sleeping|away)\b/i,
  ],
  ['queue', /\bqueue[ds]?\b|\bup\s+next\b|\bwhat['’]?s\s+next\b|\bnext\s+up\b|\bpending\b|\bwaiting\b|\bbacklog\b|\blined\s+up\b|\bto\s+do\s+list\b/i],
  [
    'status',
    /\bstatus\b|\bgoing\b|\bprogress\b|\bdoing\b|\bworking\s+on\b|\brunning\b|\bbusy\b|\bhow['’]?s\b|\bhow\s+is\b|\bdone\b|\bready\b|\bfinished\b|\bfail(?:ed|ing)?\b|\bstuck\b|\bbuilding\b|\bdid\s+you\b/i,
  ],
];

/** The topic of a question, or null when it asks about something else ("what's the weather?"). */
export function classifyQuestion(text: string): Question | null {
  const id = TASK_ID.exec(text);
  if (id?.[1]) return { topic: 'status', taskId: formatTaskId(Number(id[1])) };
  for (const [topic, re] of TOPICS) if (re.test(text)) return { topic };
  return null;
}
