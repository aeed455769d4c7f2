// Safety: a pure check of a task's text, made before it is queued. It returns every reason the
// owner should approve the task first, each with the exact words that triggered it.
//
// The words come from safety-words.ts; this file holds the grammar that tells an action by the
// agent ("drop the users table") from the name of a thing being built ("a delete button", "the
// POST endpoint"). docs/safety.md explains the rules and what they get wrong.
import type { SafetyExtras } from './policy.ts';
import type { Priority, SafetyReason, SafetyVerdict } from './task.ts';
import * as W from './safety-words.ts';
import { quoteForDisplay } from './safe-text.ts';

export interface SafetyInput {
  /** The full spec: the request followed by every clarification. */
  text: string;
  priority: Priority;
  /** The owner already approved this task: the low-priority wait is over (content reasons stay). */
  approved?: boolean;
  /**
   * The clarifications given so far. One that says a thing waited for is now in place ("the key is
   * in .env now", "unblocked, go ahead") answers that blocker, which is then no reason any more.
   */
  answers?: readonly string[];
}

export function checkSafety(input: SafetyInput, extras: SafetyExtras, now: Date): SafetyVerdict {
  const text = input.text;
  const toks = tokenize(text);
  const lexicon = buildLexicon(extras);
  const reasons: SafetyReason[] = [];
  const actions = findActions(text, toks, lexicon);
  const vague = vagueQuote(text, toks, new Set(actions.map((a) => a.verb)));
  // "delete it": the destructive reason already quotes every word; saying it twice helps nobody.
  if (vague !== null && !actions.some((a) => a.quote.toLowerCase() === vague.toLowerCase())) {
    const what = vague === '' ? 'the request is empty' : `"${quoteForDisplay(vague)}" names nothing to build`;
    reasons.push({ kind: 'vague', quote: vague, message: `too vague to act on: ${what}; say what to build, or reject it` });
  }
  for (const quote of findBlockers(text, toks, lexicon.blockers).filter((q) => !answered(q, input.answers ?? []))) {
    reasons.push({ kind: 'blocker', quote, message: `it is waiting on something: "${quoteForDisplay(quote)}"; approve once that is in place` });
  }
  for (const kind of ['destructive', 'external'] as const) {
    for (const found of actions.filter((a) => a.kind === kind)) {
      const why = kind === 'destructive' ? 'destructive: it may lose data or history' : 'external: it reaches beyond the repository';
      reasons.push({ kind, quote: found.quote, message: `it mentions "${quoteForDisplay(found.quote)}" (${why}); approve only if the agent may do that unattended` });
    }
  }
  if (input.priority === 'low' && input.approved !== true) {
    reasons.push({ kind: 'low_priority', quote: lowPriorityQuote(text), message: 'low priority tasks always wait for approval' });
  }
  const unique = dedupeQuotes(reasons);
  return { needsApproval: unique.length > 0, reasons: unique, checkedAt: now.toISOString() };
}

// ---- tokens ------------------------------------------------------------------------------------

interface Token {
  text: string;
  /** Lower case, curly apostrophe straightened; "&" and "+" read as "and". */
  low: string;
  start: number;
  end: number;
  word: boolean;
  /** A line break comes before this token (or it is the first): a clause starts here. */
  nl: boolean;
  sentence: number;
}

// A word keeps inner hyphens, dots, slashes, colons and apostrophes (drop-down, ./build, it's,
// 10:30pm, #general) and may start with a flag's dashes or a path's slash (-rf, --hard, ./build).
const TOKEN = /(?:--?|\.{1,2}\/|~\/|\/)?[\p{L}\p{N}_#@$]+(?:['’\-./:@][\p{L}\p{N}_#@$]+)*|\S/gu;
const QUOTES = new Set(["'", '"', '“', '”', '‘', '’']);
const SENTENCE_ENDS = new Set(['.', '!', '?', ';']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  let sentence = 0;
  for (const m of text.matchAll(TOKEN)) {
    const raw = m[0];
    const start = m.index;
    const nl = out.length === 0 || text.slice(last, start).includes('\n');
    if (nl && out.length > 0) sentence++;
    const joiner = raw === '&' || raw === '+';
    out.push({
      text: raw,
      low: joiner ? 'and' : raw.toLowerCase().replace(/’/g, "'"),
      start,
      end: start + raw.length,
      word: joiner || /[\p{L}\p{N}]/u.test(raw),
      nl,
      sentence,
    });
    if (SENTENCE_ENDS.has(raw)) sentence++;
    last = start + raw.length;
  }
  return out;
}

const isQuote = (t: Token): boolean => QUOTES.has(t.text);

/** The word before token i in the same clause (quote marks skipped), or -1 at a clause start. */
function prevWord(toks: Token[], i: number): number {
  for (let j = i; j > 0; ) {
    if (toks[j]?.nl) return -1;
    const t = toks[--j];
    if (!t) return -1;
    if (t.word) return j;
    if (!isQuote(t)) return -1;
  }
  return -1;
}

/** The word after token i in the same clause (quote marks skipped), or -1 at the clause's end. */
function nextWord(toks: Token[], i: number): number {
  for (let j = i + 1; j < toks.length; j++) {
    const t = toks[j];
    if (!t || t.nl) return -1;
    if (t.word) return j;
    if (!isQuote(t)) return -1;
  }
  return -1;
}

const low = (toks: Token[], i: number): string => (i >= 0 ? (toks[i]?.low ?? '') : '');

const NOT_ADVERBS = new Set(['only', 'apply', 'reply', 'supply', 'multiply', 'comply', 'rely', 'family', 'early', 'daily', 'weekly', 'monthly', 'assembly', 'july', 'italy']);
const MANNER = new Set(['ever', 'even', 'hard', 'force']);
const isAdverb = (w: string): boolean => MANNER.has(w) || (w.length > 4 && w.endsWith('ly') && !NOT_ADVERBS.has(w));

/** The previous word that is not an adverb of manner ("quickly", "permanently", "hard delete"). */
function prevContent(toks: Token[], i: number): number {
  let j = prevWord(toks, i);
  while (j >= 0 && isAdverb(low(toks, j))) j = prevWord(toks, j);
  return j;
}

/** Set membership that forgives a plural: buttons, boxes, policies. */
function has(set: ReadonlySet<string>, w: string): boolean {
  const bare = w.replace(/'s$/, '');
  return (
    set.has(bare) ||
    (bare.endsWith('s') && set.has(bare.slice(0, -1))) ||
    (bare.endsWith('es') && set.has(bare.slice(0, -2))) ||
    (bare.endsWith('ies') && set.has(`${bare.slice(0, -3)}y`))
  );
}

function tokenAt(toks: Token[], offset: number): number {
  const i = toks.findIndex((t) => t.end > offset);
  return i === -1 ? toks.length - 1 : i;
}

/** Index of the last token of a quote that starts at `first` and runs through `last`, plus up to `more` words of object. */
function extendQuote(toks: Token[], last: number, more: number): number {
  let end = last;
  let words = 0;
  for (let j = last + 1; j < toks.length && words < more; j++) {
    const t = toks[j];
    if (!t || t.nl) break;
    if (isQuote(t)) continue;
    if (!t.word || W.QUOTE_STOP.has(t.low)) break;
    end = j;
    words++;
  }
  const listMarker = (j: number): boolean => /^\d+$/.test(low(toks, j)) && ['.', ')'].includes(toks[j + 1]?.text ?? '');
  while (end > last && (W.QUOTE_TRIM.has(low(toks, end)) || listMarker(end) || !toks[end]?.word)) end--;
  return end;
}

const slice = (text: string, toks: Token[], first: number, last: number): string =>
  text.slice(toks[first]?.start ?? 0, toks[last]?.end ?? 0);

// ---- lexicon (built-in words plus the owner's extras) -----------------------------------------

interface VerbHit {
  entry: W.VerbEntry;
  past: boolean;
}
interface Lexicon {
  forms: Map<string, VerbHit>;
  patterns: W.ActionPattern[];
  blockers: W.BlockerPattern[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const phraseRe = (phrase: string): RegExp =>
  new RegExp(`(?<![\\w-])${phrase.trim().split(/\s+/).map(escapeRe).join('\\s+')}(?![\\w-])`, 'gi');

function buildLexicon(extras: SafetyExtras): Lexicon {
  const forms = new Map<string, VerbHit>();
  const add = (entry: W.VerbEntry): void => {
    for (const f of entry.forms) if (!forms.has(f)) forms.set(f, { entry, past: false });
    for (const f of entry.past) if (!forms.has(f)) forms.set(f, { entry, past: true });
  };
  W.VERBS.forEach(add);
  const patterns = [...W.ACTION_PATTERNS];
  for (const kind of ['destructive', 'external'] as const) {
    for (const raw of extras[kind]) {
      const phrase = raw.trim().toLowerCase();
      if (phrase === '') continue;
      const words = tokenize(phrase);
      if (words.length === 1 && words[0]?.word) {
        const stem = phrase.endsWith('e') ? phrase.slice(0, -1) : phrase;
        add({ lemma: phrase, kind, forms: [phrase, `${phrase}s`, `${phrase}es`, `${stem}ing`], past: [`${stem}ed`] });
      } else {
        patterns.push({ kind, re: phraseRe(phrase) });
      }
    }
  }
  const blockers = [...W.BLOCKER_PATTERNS];
  for (const raw of extras.blockers) {
    if (raw.trim() !== '') blockers.push({ re: phraseRe(raw), strength: 'always' });
  }
  return { forms, patterns, blockers };
}

// ---- vague -------------------------------------------------------------------------------------

/**
 * The whole text when, once filler, generic verbs, deadline words, generic nouns and the verbs
 * already reported as actions go, no word is left: "build it", "delete it", "do the thing".
 */
function vagueQuote(text: string, toks: Token[], actionVerbs: Set<number>): string | null {
  const content = toks.filter((t, i) => {
    if (!t.word || actionVerbs.has(i)) return false;
    const w = t.low.replace(/'s$/, '');
    return !(W.VAGUE_FILLER.has(w) || /^\d/.test(w) || w.startsWith('@'));
  });
  return content.length === 0 ? text.trim().replace(/[\s.!?;:,]+$/, '') : null;
}

// ---- blockers ----------------------------------------------------------------------------------

function findBlockers(text: string, toks: Token[], patterns: W.BlockerPattern[]): string[] {
  const found: { first: number; last: number }[] = [];
  for (const p of patterns) {
    for (const m of text.matchAll(p.re)) {
      const first = tokenAt(toks, m.index);
      const last = tokenAt(toks, m.index + m[0].length - 1);
      if (found.some((f) => first <= f.last && last >= f.first)) continue;
      if (negated(toks, first) || !blockerCounts(p, m, toks, first, last)) continue;
      found.push({ first, last: extendQuote(toks, last, 6) });
    }
  }
  // "Can't start | until the designs are in": phrases that touch are one thing to wait for.
  const merged: { first: number; last: number }[] = [];
  for (const f of found.sort((a, b) => a.first - b.first)) {
    const prev = merged[merged.length - 1];
    if (prev && f.first <= prev.last + 1 && !toks[f.first]?.nl) prev.last = Math.max(prev.last, f.last);
    else merged.push({ ...f });
  }
  return merged.map((f) => slice(text, toks, f.first, f.last));
}

function blockerCounts(p: W.BlockerPattern, m: RegExpMatchArray, toks: Token[], first: number, last: number): boolean {
  if (p.strength === 'always') return true;
  if (p.strength === 'subject') {
    const j = prevContent(toks, first);
    return j < 0 || has(W.DEPENDS_SUBJECTS, low(toks, j));
  }
  if (p.strength === 'need') {
    // "needs a password field": a thing of the product, not a missing credential.
    if (has(W.THING_HEADS, low(toks, nextWord(toks, last)))) return false;
    // "the endpoint requires an API key": the product's rule, not the task's.
    for (let j = prevWord(toks, first); j >= 0; j = prevWord(toks, j)) {
      const w = low(toks, j);
      if (has(W.THING_HEADS, w) || has(W.SYSTEMS, w)) return false;
    }
  }
  // "ping me when you are done": the agent's own work finishing is nothing to wait for.
  const what = m.groups?.['what'];
  if (what !== undefined && what.trim().split(/\s+/).every((w) => W.SELF_WORK.has(w.toLowerCase().replace(/’/g, "'")))) return false;
  return !sentenceIsAboutProduct(toks, first);
}

/** A person using the product or an on-screen verb: "show a spinner while waiting for the response". */
function sentenceIsAboutProduct(toks: Token[], i: number): boolean {
  const sentence = toks[i]?.sentence;
  return toks.some((t) => t.sentence === sentence && t.word && (has(W.PEOPLE, t.low) || W.RENDER_VERBS.has(t.low)));
}

/** "not yet", "still waiting", "isn't there": a clarification that says the wait goes on. */
const STILL_WAITING = /\b(?:not\s+yet|still\s+(?:not|no|waiting|missing|blocked|pending)|isn'?t|aren'?t|hasn'?t|haven'?t|won'?t|not\s+(?:there|ready|available|in|done|merged))\b/i;
/** A go-ahead that answers every wait. */
const GO_AHEAD = /\b(?:unblocked|no\s+longer\s+(?:blocked|waiting|needed|pending)|(?:you\s+)?can\s+(?:start|go\s+ahead|proceed)|go\s+ahead|good\s+to\s+go|all\s+set|nothing\s+to\s+wait\s+for)\b/i;
/** The thing waited for is in place: "is in .env now", "has arrived", "I've added it", "merged". */
const IN_PLACE =
  /\b(?:(?:is|are|['’]s|['’]re)\s+(?:now\s+)?(?:in|there|here|ready|available|done|merged|live|set(?:\s+up)?|added|fixed|sorted|provided|configured|in\s+place|approved|signed\s+off)|(?:has|have)\s+(?:now\s+)?(?:arrived|landed|been\s+(?:merged|approved|added|provided|set\s+up))|(?:i|we)(?:['’]ve|\s+have)?\s+(?:now\s+)?(?:added|put|set|created|provided|configured|merged|shipped|uploaded)|here\s+(?:it\s+)?is)\b/i;
/** Words of a blocker quote that do not name the thing waited for. */
const WAIT_WORDS = new Set(
  'waiting wait for on until till blocked by the a an our my your their is are to be need needs needed require requires depends depend pending after once when get gets got ready done in it this that first can cant start hold off do not dont we i'.split(' '),
);

/** Whether a later clarification says the thing this blocker waits for is now in place. */
function answered(quote: string, answers: readonly string[]): boolean {
  const things = quote.toLowerCase().replace(/['’]/g, '').split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3 && !WAIT_WORDS.has(w));
  return answers.some((a) => {
    const said = a.toLowerCase();
    if (said.includes(quote.toLowerCase()) || STILL_WAITING.test(said)) return false;
    if (GO_AHEAD.test(said)) return true;
    const words = new Set(said.replace(/['’]/g, '').split(/[^\p{L}\p{N}]+/u));
    return IN_PLACE.test(said) && things.some((w) => words.has(w) || words.has(w.replace(/s$/, '')) || words.has(`${w}s`));
  });
}

// ---- destructive and external actions ----------------------------------------------------------

interface Action {
  kind: W.ActionKind;
  start: number;
  quote: string;
  /** The token of the trigger verb, or -1 for a fixed pattern. */
  verb: number;
}

function findActions(text: string, toks: Token[], lexicon: Lexicon): Action[] {
  const triggers: [number, number][] = [];
  const out: Action[] = [];
  const taken = (start: number, end: number): boolean => triggers.some(([s, e]) => start < e && end > s);
  for (const p of lexicon.patterns) {
    for (const m of text.matchAll(p.re)) {
      const start = m.index;
      const end = start + m[0].trimEnd().length;
      if (end <= start || taken(start, end)) continue;
      const first = tokenAt(toks, start);
      if (negated(toks, first)) continue;
      triggers.push([start, end]);
      const last = extendQuote(toks, tokenAt(toks, end - 1), p.command === true ? 3 : 4);
      out.push({ kind: p.kind, start, quote: slice(text, toks, first, last), verb: -1 });
    }
  }
  toks.forEach((t, i) => {
    const hit = t.word ? lexicon.forms.get(t.low) : undefined;
    if (!hit || taken(t.start, t.end)) return;
    const first = hit.past ? passiveStart(toks, i) : isAction(toks, i, hit.entry) ? i : -1;
    if (first < 0) return;
    triggers.push([t.start, t.end]);
    const last = hit.past ? i : extendQuote(toks, i, 5);
    out.push({ kind: hit.entry.kind, start: toks[first]?.start ?? t.start, quote: slice(text, toks, first, last), verb: i });
  });
  return out.sort((a, b) => a.start - b.start);
}

/** Is the trigger verb at token i an action by the agent, rather than a thing being built? */
function isAction(toks: Token[], i: number, entry: W.VerbEntry): boolean {
  if (inSafePhrase(toks, i) || isLabel(toks, i) || negated(toks, i) || productActs(toks, i)) return false;
  if (entry.needsDataObject === true && !objectIsData(toks, i)) return false;
  const modifier = modifiesThing(toks, i, entry);
  const j = prevContent(toks, i);
  const before = low(toks, j);
  if (low(toks, i).endsWith('ing')) {
    // "Posting a comment twice creates duplicates": an -ing word opening a clause is its subject;
    // "users wait for approval before posting": the people of the sentence do it.
    if (j < 0) return false;
    if (['before', 'after', 'while', 'when', 'without'].includes(before) && sentenceIsAboutProduct(toks, i)) return false;
  }
  if (j < 0 || W.VERB_BEFORE.has(before)) return !modifier || destinationAfter(toks, i);
  if (W.DETERMINERS.has(before) || W.BUILD_VERBS.has(before) || W.NOUN_PREPOSITIONS.has(before)) return false;
  if (before.endsWith("'s") || /^\d/.test(before)) return false;
  // After another word ("blog post", "fetch posts"): an action only when an object follows at once.
  const next = low(toks, nextWord(toks, i));
  return !modifier && (W.OBJECT_AFTER.has(next) || next.startsWith('-'));
}

function inSafePhrase(toks: Token[], i: number): boolean {
  return W.SAFE_PHRASES.some((phrase) =>
    phrase.some((word, k) => {
      if (word !== low(toks, i)) return false;
      let j = i;
      for (let b = k - 1; b >= 0; b--) if (low(toks, (j = prevWord(toks, j))) !== phrase[b]) return false;
      j = i;
      for (let f = k + 1; f < phrase.length; f++) if (low(toks, (j = nextWord(toks, j))) !== phrase[f]) return false;
      return true;
    }),
  );
}

/** Inside a quoted label: a button labelled 'Delete everything', a 'Send now' button. */
function isLabel(toks: Token[], i: number): boolean {
  const open = findQuote(toks, i, -1);
  const close = findQuote(toks, i, 1);
  if (open < 0 || close < 0) return false;
  const after = nextWord(toks, close);
  return (
    W.LABEL_BEFORE.has(low(toks, prevWord(toks, open))) ||
    has(W.THING_HEADS, low(toks, after)) ||
    has(W.THING_HEADS, low(toks, nextWord(toks, after)))
  );
}

function findQuote(toks: Token[], i: number, step: 1 | -1): number {
  for (let j = i + step, n = 0; j >= 0 && j < toks.length && n < 8; j += step, n++) {
    const t = toks[j];
    if (!t || (step === 1 ? t.nl : toks[j + 1]?.nl)) return -1;
    if (isQuote(t)) return j;
    if (!t.word) return -1;
  }
  return -1;
}

/** "don't deploy", "never force-push", "without deleting", "try not to drop", "no need to wait for". */
function negated(toks: Token[], i: number): boolean {
  const j = prevContent(toks, i);
  const w = low(toks, j);
  if (W.NEGATIONS.has(w)) return true;
  if (w !== 'to') return false;
  const k = prevContent(toks, j);
  if (low(toks, k) === 'not' || low(toks, k) === 'never') return true;
  return low(toks, k) === 'need' && low(toks, prevWord(toks, k)) === 'no';
}

/**
 * The product does it, not the agent: "users can delete", "let admins revoke", "allow users to
 * create and delete posts", "a button that sends", "the job deletes old rows".
 */
function productActs(toks: Token[], i: number): boolean {
  const thirdPerson = low(toks, i).endsWith('s');
  let linked = false;
  let adjacent = true;
  for (let j = prevWord(toks, i), steps = 0; j >= 0 && steps < 10; steps++) {
    const w = low(toks, j);
    const person = has(W.PEOPLE, w) || has(W.SYSTEMS, w);
    if (person || has(W.THING_HEADS, w)) {
      if (linked || (adjacent && (person || thirdPerson))) return true;
      let k = prevWord(toks, j);
      while (k >= 0 && W.DETERMINERS.has(low(toks, k))) k = prevWord(toks, k);
      return W.LETTING_VERBS.has(low(toks, k));
    }
    adjacent = false;
    if (w === 'and' || w === 'or') {
      // A coordinated verb ("create and delete") is passed over; a noun before "and" is checked above.
      const k = prevWord(toks, j);
      const kw = low(toks, k);
      j = k >= 0 && !(has(W.PEOPLE, kw) || has(W.SYSTEMS, kw) || has(W.THING_HEADS, kw)) ? prevWord(toks, k) : k;
      continue;
    }
    if (W.ACTOR_LINKS.has(w)) linked = true;
    else if (!isAdverb(w) && !W.TRANSPARENT.has(w)) return false;
    j = prevWord(toks, j);
  }
  return false;
}

/** The words after the trigger end in a thing: "send button", "Delete account confirmation dialog", "delete, edit and share buttons". */
function modifiesThing(toks: Token[], i: number, entry: W.VerbEntry): boolean {
  let head: string | null = null;
  let list = false;
  for (let j = i + 1, n = 0; j < toks.length && n < 8; j++) {
    const t = toks[j];
    if (!t || t.nl) break;
    if (isQuote(t)) continue;
    const coordinator = t.text === ',' || t.low === 'and' || t.low === 'or';
    if (coordinator && (list || n === 0)) {
      list = true;
      head = null;
    } else if (!t.word || runStops(t.low)) {
      break;
    } else {
      head = t.low;
    }
    n++;
  }
  return head !== null && (has(W.THING_HEADS, head) || (entry.heads ?? []).some((h) => h === head || `${h}s` === head));
}

const runStops = (w: string): boolean =>
  W.DETERMINERS.has(w) ||
  W.NOUN_PREPOSITIONS.has(w) ||
  W.OBJECT_AFTER.has(w) ||
  W.QUOTE_STOP.has(w) ||
  W.VERB_BEFORE.has(w) ||
  W.BE_AUX.has(w) ||
  W.NEGATIONS.has(w);

/** "remove all user data", "clear the prod database": the head of the object names data. */
function objectIsData(toks: Token[], i: number): boolean {
  let head = '';
  for (let j = nextWord(toks, i), n = 0; j >= 0 && n < 6; j = nextWord(toks, j), n++) {
    const w = low(toks, j);
    if (W.DETERMINERS.has(w) || W.OBJECT_AFTER.has(w) || w === 'of') {
      if (head !== '') break;
      continue;
    }
    if (runStops(w)) break;
    head = w;
  }
  return has(W.DATA_NOUNS, head);
}

const DESTINATION_PREPOSITIONS = new Set(['to', 'on', 'into', 'onto', 'in', 'at']);
const DESTINATION_SKIP = new Set(['the', 'our', 'my', 'your', 'their', 'a', 'an', 'this']);

/** "deploy the docs to prod", "post the changelog to #general", "publish to npm". */
function destinationAfter(toks: Token[], i: number): boolean {
  for (let j = nextWord(toks, i), n = 0; j >= 0 && n < 7; j = nextWord(toks, j), n++) {
    const w = low(toks, j);
    if (DESTINATION_PREPOSITIONS.has(w)) {
      let k = nextWord(toks, j);
      while (k >= 0 && DESTINATION_SKIP.has(low(toks, k))) k = nextWord(toks, k);
      const d = low(toks, k);
      return /^[#@]/.test(d) || W.DESTINATIONS.has(d) || /\.(io|com|org|dev|app|net|sh)$/.test(d);
    }
    if (W.QUOTE_STOP.has(w)) return false;
  }
  return false;
}

/**
 * A past participle is a request only after is/are/be/get ("the old tables are dropped"). Returns
 * the first token of the quote (the subject), or -1. Entities in a sentence about the product stay
 * quiet ("the account is deleted once the user confirms"); containers never do.
 */
function passiveStart(toks: Token[], i: number): number {
  const aux = prevContent(toks, i);
  if (aux < 0 || !W.BE_AUX.has(low(toks, aux)) || negated(toks, aux)) return -1;
  let j = prevWord(toks, aux);
  while (j >= 0 && (W.ACTOR_LINKS.has(low(toks, j)) || ['need', 'needs', 'has', 'have'].includes(low(toks, j)))) j = prevWord(toks, j);
  let first = aux;
  let container = false;
  for (let n = 0; j >= 0 && n < 5; j = prevWord(toks, j), n++) {
    const w = low(toks, j);
    if (W.QUOTE_STOP.has(w) || (W.VERB_BEFORE.has(w) && !W.DETERMINERS.has(w)) || ['sure', 'ensure', 'check', 'verify'].includes(w)) break;
    container ||= has(W.CONTAINERS, w);
    first = j;
  }
  if (!container && sentenceIsAboutProduct(toks, i)) return -1;
  return first;
}

// ---- low priority and the final list -------------------------------------------------------------

function lowPriorityQuote(text: string): string {
  for (const re of W.LOW_PRIORITY_PHRASES) {
    const m = re.exec(text);
    if (m) return m[0];
  }
  return '';
}

function dedupeQuotes(reasons: SafetyReason[]): SafetyReason[] {
  const seen = new Set<string>();
  return reasons.filter((r) => {
    const key = r.quote.toLowerCase();
    if (key === '') return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
