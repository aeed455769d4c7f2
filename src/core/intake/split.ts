/*
 * One message, several tasks.
 *
 * Bulleted or numbered lists ("1. x", "2) x", "- x", "* x", "• x"), one item per line: each item
 * is a task when the line above points at the list ("build these tonight:", "fix the following:")
 * or says nothing but when and how ("tonight:", "urgent:"), or when every item starts with its own
 * verb. Under a lead with a real object ("build a Spotify integration:") the bullets are details of
 * that one task. Lines after an item that are not bullets continue that item.
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
 *     thing), parentheses or quotes.
 * Anything else stays one task: a bulleted list is the way to ask for several.
 */

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

const FIRST_ITEM_ATTACHES =
  /\b(?:with|including|that|which|who|whose|for|using|featuring|supporting|containing|of|in|on|from|into|between|like|such\s+as|where|plus|showing|listing|via|across|about|to)\b/i;
const STARTS_WITH_JOINER =
  /^(?:with|including|that|which|who|for|using|plus|and|or|but|so|then|to|from|in|on|of|by|via|where|when|like|such|e\.g\.|i\.e\.|especially|except|without|because|etc)\b/i;
const REFERS_BACK = /\b(?:it|its|them|they|their)\b/i;
const MAX_ITEM_WORDS = 8;

/** The items of a plain inline list after the verb, or the whole object as the only item. */
export function splitInlineList(object: string): string[] {
  const whole = [object];
  if (/[():"“”]/.test(object)) return whole;
  const parts = object.split(/\s*,\s*/);
  const last = parts.pop();
  if (last === undefined || parts.length === 0) return whole;
  const oxford = /^(?:and|&)\s+(\S.*)$/i.exec(last);
  const joined = /^(.*\S)\s+(?:and|&)\s+(\S.*)$/i.exec(last);
  if (oxford?.[1]) parts.push(oxford[1]);
  else if (joined?.[1] && joined[2]) parts.push(joined[1], joined[2]);
  else parts.push(last);
  const first = parts[0] ?? '';
  if (parts.length < 3 || FIRST_ITEM_ATTACHES.test(first)) return whole;
  const plain = (p: string): boolean =>
    p !== '' && !STARTS_WITH_JOINER.test(p) && !REFERS_BACK.test(p) && p.split(/\s+/).length <= MAX_ITEM_WORDS;
  return parts.every(plain) ? parts : whole;
}
