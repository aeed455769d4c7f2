// The words around a request that are not the request: politeness ("please", "can you"),
// priority labels ("urgent:", "idea:") and trailing adverbs ("asap", "when you can").
// priority.ts reads the priority in them first; this file only cuts them away. Wish words ("I need",
// "would be cool to have") are cut here too (wish.ts), and the result says the line wished.
import { cutWishLead, cutWishTail, wishedThing } from './wish.ts';

/** "hey nightshift, ...", "ok so ...": cut before anything else is read. */
const GREETINGS: RegExp[] = [
  /^(?:hey|hello|hi|yo|ok(?:ay)?|so|alright)(?:\s+[\w.-]+)?\s*[,!:]\s*(?=\S)/i,
  /^(?:hey|hello|hi|yo|ok(?:ay)?|so|alright|nightshift)\b[\s,!.:-]+(?=\S)/i,
];

/** Leading politeness and request markers, applied until none is left. */
const POLITE: RegExp[] = [
  ...GREETINGS,
  /^(?:please|pls|plz|kindly)\b[\s,:]*/i,
  /^(?:can|could|would|will)\s+(?:you|u)\b(?:\s+please)?[\s,]*/i,
  /^(?:(?:would|is)\s+it\s+(?:be\s+)?possible\s+(?:for\s+you\s+)?to|any\s+chance\s+you\s+could|do\s+you\s+mind|i\s+need\s+you\s+to|i['’]?d\s+like\s+you\s+to|i\s+want\s+you\s+to|go\s+ahead\s+and|help\s+me(?:\s+to)?|let['’]?s|we\s+need\s+to|need\s+to|you\s+should)\s+/i,
];

/** Labels that mark a line as a request even without a verb ("idea: dark mode"): a colon is required. */
const COLON_LABEL =
  /^(?:urgent|asap|a\.s\.a\.p\.?|critical|emergency|p0|hotfix|bug|now|nice[\s-]to[\s-]have|(?:it\s+)?would\s+be\s+nice|(?:just\s+an?\s+)?idea|low[\s-]priority|high[\s-]priority|medium[\s-]priority|prio(?:rity)?\s*[:=]?\s*(?:high|medium|med|low)|todo|to-do|task|someday(?:\s+maybe)?|maybe|experiment|fyi)\s*[:\-–—]\s*/i;

/** Leading adverbs that may stand without a colon ("urgent fix the login page", "someday maybe try X"). */
const WORD_LABEL =
  /^(?:urgent(?:ly)?|asap|someday(?:\s+maybe)?|some\s+day|one\s+day|maybe|eventually|(?:it['’]?s\s+)?not\s+urgent(?:[\s,]+but)?|no\s+rush(?:[\s,]+but)?|no\s+hurry(?:[\s,]+but)?|(?:it\s+)?would\s+be\s+(?:nice|great|cool)\s+(?:to|if\s+you\s+could))\b[\s,!:]*/i;

/** Trailing noise, applied until none is left. */
const TRAILING =
  /(?:^|[\s,;:.!-]+)(?:please|pls|plz|thanks|thank\s+you|thx|ty|asap|a\.s\.a\.p\.?|(?:right\s+)?now|immediately|urgently|right\s+away|when(?:ever)?\s+you\s+(?:can|get\s+a\s+chance|have\s+a\s+(?:moment|minute))|whenever|no\s+rush|no\s+hurry|if\s+you\s+(?:get|have)\s+(?:a\s+|the\s+)?(?:chance|time)|if\s+possible|someday|maybe|eventually|at\s+some\s+point|would\s+be\s+(?:nice|great|cool)|(?:it['’]?s\s+)?(?:not\s+)?urgent|nice\s+to\s+have|prio(?:rity)?\s*[:=]?\s*(?:high|medium|med|low)|(?:high|medium|low)[\s-]+prio(?:rity)?)[\s!.,;:]*$/i;

const PARENTHESISED_PRIORITY = /\s*\(\s*(?:prio(?:rity)?\s*[:=]?\s*(?:high|medium|med|low)|(?:high|medium|low)[\s-]+prio(?:rity)?|urgent|asap|low|high)\s*\)/gi;

/** Cuts the given characters from both ends, in linear time (a `[,;]+$` regex is quadratic on "x, , , , y"). */
export function trimChars(text: string, chars: string, ends: 'both' | 'end' = 'both'): string {
  let start = 0;
  let end = text.length;
  while (end > start && chars.includes(text.charAt(end - 1))) end -= 1;
  while (ends === 'both' && start < end && chars.includes(text.charAt(start))) start += 1;
  return text.slice(start, end);
}

/** Trailing noise is short: look at the last words only, so a long message costs linear time. */
function cutTrailing(text: string): string {
  const from = Math.max(0, text.length - 120);
  const boundary = from === 0 ? 0 : text.slice(from).search(/\s/);
  if (boundary < 0) return text;
  const m = TRAILING.exec(text.slice(from + boundary));
  return m ? text.slice(0, from + boundary + m.index) : text;
}

function repeat(text: string, patterns: RegExp[]): string {
  let out = text;
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of patterns) {
      const next = out.replace(re, '');
      if (next !== out) {
        out = next.trimStart();
        changed = true;
      }
    }
  }
  return out;
}

/** "please can you build X" → "build X". */
export function stripPoliteness(text: string): string {
  return repeat(text.trim(), POLITE);
}

const REQUEST_MARKER =
  /^(?:please|pls|plz|kindly|(?:can|could|would|will)\s+(?:you|u)|(?:can|could|may)\s+(?:we|i)\s+(?:get|have)|(?:would|is)\s+it\s+(?:be\s+)?possible|any\s+chance\s+you\s+could|do\s+you\s+mind)\b/i;

/** True when the opening words ask for something ("can you", "please"), greetings aside. */
export function hasRequestMarker(text: string): boolean {
  return REQUEST_MARKER.test(repeat(text.trim(), GREETINGS));
}

export interface Stripped {
  core: string;
  /** True when an explicit label like "idea:" or "urgent:" introduced the text. */
  labeled: boolean;
  /** True when wish words ("I need", "would be cool to have") were cut: the core is the thing wished for. */
  wished: boolean;
}

/** Cuts politeness, priority labels, wish words and trailing adverbs, leaving the request itself. */
export function stripNoise(text: string): Stripped {
  let core = text.replace(PARENTHESISED_PRIORITY, '');
  let labeled = false;
  let wished = false;
  for (let changed = true; changed; ) {
    const before = core;
    core = stripPoliteness(core);
    if (COLON_LABEL.test(core)) {
      labeled = true;
      core = core.replace(COLON_LABEL, '');
    }
    // Before WORD_LABEL, which would cut "would be great to" and leave "have X".
    const afterWish = cutWishLead(core);
    if (afterWish !== null) {
      wished = true;
      core = afterWish;
    }
    core = core.replace(WORD_LABEL, '').trimStart();
    changed = core !== before;
  }
  for (let changed = true; changed; ) {
    // Before cutTrailing, which would cut "would be cool" as mere politeness.
    const beforeTail = cutWishTail(core);
    if (beforeTail !== null) wished = true;
    const next = trimChars(cutTrailing(beforeTail ?? core), ' \t\n!?.,;:', 'end');
    changed = next !== core;
    core = next;
  }
  core = core.replace(/\s{2,}/g, ' ').trim();
  return { core: wished ? wishedThing(core) : core, labeled, wished };
}
