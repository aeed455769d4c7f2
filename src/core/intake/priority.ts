/*
 * Priority of a draft. Precedence, first match wins:
 *
 *   1. explicit: the --priority / -p flag, then words "priority: low", "high priority"
 *                                        → that priority, 'set with --priority' / 'said "priority: low"'
 *   2. urgency words: urgent, asap, now (at the end or "now:"), immediately, right away, critical,
 *      hotfix, emergency, p0, "!!"        → high, 'said "urgent"'
 *      ("not urgent", "non-urgent" are not urgency: they are medium words)
 *   3. low words: someday, one day, maybe, eventually, at some point, "idea:", experiment,
 *      "try out", "if you get a chance", "if you have time"
 *                                        → low, 'said "someday"'
 *      (conditional wording is low: it may never happen; "when you can" is medium: it will)
 *   4. medium words: would be nice (great, cool, awesome...), nice to have, tomorrow, this week, when you can, whenever,
 *      no rush, no hurry, not urgent     → medium, 'said "no rush"'
 *      ("tonight" is deliberately not here: it is a deadline, and rule 5 makes it high)
 *   5. a deadline within 24 h of now     → high, 'deadline within 24 h (by tonight)'
 *   6. nothing                           → medium, 'no urgency given (default)'
 *
 * For a list item, rules 1-4 are tried on the item's own line first, then on the lead line:
 * an item's own words override the lead's. Rule 5 uses the item's deadline (its own or inherited).
 */
import type { Priority } from '../task.ts';

export interface PriorityChoice {
  priority: Priority;
  priorityReason: string;
}

/** One line's say on priority: its flag (if any) and its text (flags already removed). */
export interface PrioritySource {
  flag: { value: Priority; flag: string } | null;
  text: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const EXPLICIT: RegExp[] = [
  /\bprio(?:rity)?\s*[:=]?\s*(high|medium|med|low)\b/i,
  /\b(high|medium|low)[\s-]+prio(?:rity)?\b/i,
];

const URGENT: RegExp[] = [
  /(?<!\bnot\s+|\bnon-|\bno\s+)\b(?:urgent(?:ly)?|asap|a\.s\.a\.p|immediately|right\s+away|critical|hotfix|emergency|p0)\b/i,
  /!{2,}/,
  /\b(?:right\s+)?now\b(?=[\s.!]*$)/i,
  /^\s*now\s*:/i,
];

const LOW: RegExp[] = [
  /\b(?:some\s?day|one\s+day|maybe|eventually|at\s+some\s+point)\b/i,
  /\bif\s+you\s+(?:get|have)\s+(?:a\s+|the\s+)?(?:chance|time)\b/i,
  /^\s*(?:just\s+an?\s+)?idea\b|\bidea\s*:/i,
  /^\s*experiment\b|\bexperiment\s+with\b|\bas\s+an\s+experiment\b|\bexperimental(?:ly)?\b/i,
  /\btry\s+out\b/i,
];

const MEDIUM: RegExp[] = [
  /\b(?:(?:would|will|['’]d)\s+be\s+(?:really\s+|so\s+|super\s+)?(?:nice|great|cool|awesome|handy|useful|amazing|lovely|helpful|neat|sweet)|nice[\s-]to[\s-]have|tomorrow|this\s+week|whenever|no\s+rush|no\s+hurry|not\s+urgent|non-urgent)\b/i,
  /\bwhen\s+you\s+(?:can|get\s+a\s+chance|have\s+a\s+(?:moment|minute))\b/i,
];

/** The earliest match of any of the patterns, as written. */
function earliest(text: string, patterns: RegExp[]): string | null {
  let best: RegExpExecArray | null = null;
  for (const re of patterns) {
    const m = re.exec(text);
    if (m && (!best || m.index < best.index)) best = m;
  }
  return best ? best[0].replace(/^\s+|[\s:]+$/g, '') : null;
}

const said = (words: string): string => `said "${words}"`;

function normalizeExplicit(word: string): Priority {
  const w = word.toLowerCase();
  return w === 'med' ? 'medium' : (w as Priority);
}

/** Rules 1-4 on one line: null when the line says nothing about priority. */
export function priorityFromSource(source: PrioritySource): PriorityChoice | null {
  if (source.flag) return { priority: source.flag.value, priorityReason: `set with ${source.flag.flag}` };
  for (const re of EXPLICIT) {
    const m = re.exec(source.text);
    if (m?.[1]) return { priority: normalizeExplicit(m[1]), priorityReason: said(m[0]) };
  }
  const tiers: Array<[Priority, RegExp[]]> = [['high', URGENT], ['low', LOW], ['medium', MEDIUM]];
  for (const [priority, patterns] of tiers) {
    const words = earliest(source.text, patterns);
    if (words) return { priority, priorityReason: said(words) };
  }
  return null;
}

export interface PriorityInput {
  /** Most specific first: the item's line, then the lead line. */
  sources: PrioritySource[];
  deadline: Date | null;
  deadlinePhrase: string | null;
  now: Date;
}

export function decidePriority(input: PriorityInput): PriorityChoice {
  for (const source of input.sources) {
    const choice = priorityFromSource(source);
    if (choice) return choice;
  }
  if (input.deadline && input.deadline.getTime() - input.now.getTime() <= DAY_MS) {
    return { priority: 'high', priorityReason: `deadline within 24 h (${input.deadlinePhrase ?? 'given'})` };
  }
  return { priority: 'medium', priorityReason: 'no urgency given (default)' };
}
