/*
 * One message, several tasks.
 *
 * Bulleted or numbered lists ("1. x", "2) x", "- x", "* x", "• x"), one item per line: each item
 * is a task when the line above points at the list ("build these tonight:", "fix the following:")
 * or says nothing but when and how ("tonight:", "urgent:"), or when every item starts with its own
 * verb. Under a lead with a real object ("build a Spotify integration:") the bullets are details of
 * that one task. Lines after an item that are not bullets continue that item.
 *
 * The same list written otherwise (findInlineList): numbered on one line ("1. x 2. y 3. z") or
 * between semicolons, read like bullets; after a colon as "x, y and z", or as plain lines under the
 * lead, taken only when the lead names a list in words ("these three things:", compose.ts).
 *
 * Inline lists after the verb ("build X, Y and Z"): split only a plain list of short noun phrases:
 *   - at least three items, separated by commas, the last joined by "and"/"&" (Oxford comma or
 *     not) or by a comma: "build a login page, a signup page and a settings page" → 3 tasks;
 *   - not when the first item attaches the list to something ("a CLI with flags, colors and tests",
 *     "support for Slack, Discord and Teams", "a dashboard that shows users, teams and billing"):
 *     words like with/for/that/of/including/to in the first item keep it one task;
 *   - not when an item starts with such a word, refers back ("test it"), is longer than 8 words, or
 *     the list is an "or" list; not "X and Y" (two items are too often one thing: "header and footer");
 *   - not when the text holds a colon ("a blog: posts, tags and comments" lists parts of one
 *     thing; a lead that names a list is read by findInlineList), parentheses or quotes.
 * Anything else stays one task: a bulleted list is the way to ask for several.
 */

import { trimChars } from './noise.ts';

export interface ListItem {
  /** The item's first line without its marker: the words that make its title. */
  text: string;
  /** The item as written, marker and continuation lines included: goes into the request. */
  raw: string;
}

export interface BulletList {
  /** The lines before the first item. */
  lead: string;
  items: ListItem[];
  /**
   * How the list was written when not one bullet per line: 'marked' ("1. x 2. y" or "x; y; z" on
   * one line: read like bullets), 'colon' ("these three: x, y and z") and 'lines' (plain lines under
   * a lead), taken only under a lead that names a list (compose.ts). A deadline after the last item
   * of a one-line list is the whole list's.
   */
  shape?: 'marked' | 'colon' | 'lines';
}

const BULLET = /^\s*(?:\d{1,3}[.)]|[-*•◦▪–])\s+(\S.*?)\s*$/;

/** "2. signup page" → "signup page"; a line without a marker is returned trimmed. */
export function withoutMarker(line: string): string {
  return BULLET.exec(line)?.[1] ?? line.trim();
}

/** Finds a bulleted or numbered list; null when the message has no item lines. */
export function findBulletList(text: string): BulletList | null {
  const lead: string[] = [];
  const items: ListItem[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const m = BULLET.exec(line);
    const last = items.at(-1);
    if (m?.[1]) items.push({ text: m[1], raw: line.trim() });
    else if (last) last.raw += `\n${line.trim()}`;
    else lead.push(line.trim());
  }
  return items.length > 0 ? { lead: lead.join('\n'), items } : null;
}

/** Markers of an inline numbered list: "1. ", "2) ", "(3) ", after the start, a space or a colon. */
const INLINE_NUMBER = /(?:^|(?<=[\s:;,]))\(?(\d{1,2})[.)]\s+/g;
/** Where a one-line list may begin: at the start, or right after a colon ("… tomorrow: 1. x 2. y"), not in prose ("fails at step 1. run tests"). */
const startsList = (before: string): boolean => {
  const t = before.trimEnd();
  return t === '' || t.endsWith(':');
};

/** "lead 1. a 2. b 3. c": items numbered from 1 on one line, or null. */
function numberedInline(line: string): { lead: string; items: string[] } | null {
  const cuts: Array<{ at: number; end: number }> = [];
  for (const m of line.matchAll(INLINE_NUMBER)) {
    if (Number(m[1]) === cuts.length + 1) cuts.push({ at: m.index, end: m.index + m[0].length });
  }
  if (cuts.length < 2 || !startsList(line.slice(0, cuts[0]?.at ?? 0))) return null;
  const items = cuts.map((c, i) => trimItem(line.slice(c.end, cuts[i + 1]?.at ?? line.length)));
  if (items.some((i) => i === '')) return null;
  return { lead: line.slice(0, cuts[0]?.at ?? 0).trim(), items };
}

/** An item without the separators around it: "a dark mode toggle, and" → "a dark mode toggle". Linear time. */
function trimItem(item: string): string {
  let t = trimChars(item, ' \t\n,;');
  const joiner = /(?:^|\s)(?:and|&)$/i.exec(t.slice(-4));
  if (joiner) t = trimChars(t.slice(0, t.length - 4 + joiner.index), ' \t\n,;', 'end');
  return t.replace(/^(?:and|&)\s+/i, '').trim();
}

/** "lead: a; b; c" (marked) or "lead: a, b and c" (two items are enough after a colon). */
function afterColon(line: string): { lead: string; items: string[]; marked: boolean } | null {
  const colon = line.indexOf(':');
  if (colon <= 0) return null;
  const lead = line.slice(0, colon).trim();
  const rest = line.slice(colon + 1).trim();
  if (/[():"“”]/.test(rest)) return null;
  const marked = rest.includes(';');
  const items = marked ? rest.split(';').map(trimItem).filter((i) => i !== '') : listItems(rest, 2);
  return items && items.length >= 2 && items.every(plainItem) ? { lead, items, marked } : null;
}

/**
 * A list written on one line ("1. x 2. y 3. z", "these three: x, y and z") or as plain lines under
 * a lead ("these three things:\nx\ny\nz"); null when the text has none. Lines after a one-line
 * list continue its last item.
 */
export function findInlineList(text: string): BulletList | null {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const [first = '', ...rest] = lines;
  const numbered = numberedInline(first);
  const one = numbered ? { ...numbered, marked: true } : afterColon(first);
  if (one) {
    const items = one.items.map((t) => ({ text: t, raw: t }));
    const last = items.at(-1);
    if (last && rest.length > 0) last.raw += `\n${rest.join('\n')}`;
    return { lead: one.lead, items, shape: one.marked ? 'marked' : 'colon' };
  }
  if (rest.length < 2) return null;
  return { lead: first, items: rest.map((t) => ({ text: t, raw: t })), shape: 'lines' };
}

const FIRST_ITEM_ATTACHES =
  /\b(?:with|including|that|which|who|whose|for|using|featuring|supporting|containing|of|in|on|from|into|between|like|such\s+as|where|plus|showing|listing|via|across|about|to)\b/i;
const STARTS_WITH_JOINER =
  /^(?:with|including|that|which|who|for|using|plus|and|or|but|so|then|to|from|in|on|of|by|via|where|when|like|such|e\.g\.|i\.e\.|especially|except|without|because|etc)\b/i;
const REFERS_BACK = /\b(?:it|its|them|they|their)\b/i;
const MAX_ITEM_WORDS = 8;

const plainItem = (p: string): boolean =>
  p !== '' && !STARTS_WITH_JOINER.test(p) && !REFERS_BACK.test(p) && p.split(/\s+/).length <= MAX_ITEM_WORDS;

/** "a, b and c" → [a, b, c] (Oxford comma or not; "a, b, c" too); null with fewer than `least` items. */
function listItems(text: string, least: number): string[] | null {
  const parts = text.split(',').map((p) => p.trim());
  const last = parts.pop();
  if (last === undefined) return null;
  const oxford = /^(?:and|&)\s+(\S.*)$/i.exec(last);
  const joined = /^(.*\S)\s+(?:and|&)\s+(\S.*)$/i.exec(last);
  if (oxford?.[1]) parts.push(oxford[1]);
  else if (joined?.[1] && joined[2]) parts.push(joined[1], joined[2]);
  else parts.push(last);
  return parts.length >= least ? parts : null;
}

/** The items of a plain inline list after the verb, or the whole object as the only item. */
export function splitInlineList(object: string): string[] {
  const whole = [object];
  if (/[():"“”]/.test(object)) return whole;
  const parts = listItems(object, 3);
  if (!parts || FIRST_ITEM_ATTACHES.test(parts[0] ?? '')) return whole;
  return parts.every(plainItem) ? parts : whole;
}
