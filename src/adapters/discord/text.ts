// Text from users and agents, made safe for Discord. Messages go out with allowedMentions
// { parse: [] } (set on the client), so nothing in them can ping anyone; on top of that
// @everyone/@here in task text get a zero-width joiner, so they do not even look like a ping, and
// markdown characters are escaped so a title cannot break the formatting around it.
import { escapeMarkdown } from 'discord.js';

/** Discord's limits that text is cut to (characters). */
export const LIMIT = { content: 2000, description: 4096, fieldValue: 1024, title: 256, threadName: 100, label: 80, choice: 100 } as const;

const defuse = (text: string): string => text.replace(/@(everyone|here)/gi, '@\u200b$1');

/** Escaped, defused, and cut to `max` characters with a pointer to where the rest is. */
export function safeText(text: string, max: number, rest = 'the full log'): string {
  const safe = defuse(escapeMarkdown(text));
  return cut(safe, max, rest);
}

/** Cuts already-safe text to `max` characters, saying where the rest is. */
export function cut(text: string, max: number, rest = 'the full log'): string {
  if (text.length <= max) return text;
  const note = ` … (cut; see ${rest})`;
  // Do not leave a dangling backslash that would escape the note's first character.
  return `${text.slice(0, Math.max(0, max - note.length)).replace(/\\+$/, '')}${note}`;
}

/** Plain text (thread names, button labels, autocomplete choices): no markdown, just length. */
export function plain(text: string, max: number): string {
  const flat = defuse(text.replace(/\s+/g, ' ').trim());
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A code block that the text inside cannot close early. */
export function codeBlock(text: string, max: number, rest = 'the full log'): string {
  return `\`\`\`\n${cut(text.replace(/```/g, "'''"), max - 8, rest)}\n\`\`\``;
}

export const mention = (userId: string): string => `<@${userId}>`;

/** A person recorded in task history: a Discord user id is shown as a (silent) mention, anything else as text. */
export const who = (by: string): string => (/^\d{17,20}$/.test(by) ? `<@${by}>` : safeText(by, 100));

/** A time every reader sees in their own zone (Discord renders <t:unix:style>). */
export const stamp = (iso: string, style: 'f' | 'R' | 't' = 'f'): string => `<t:${Math.floor(Date.parse(iso) / 1000)}:${style}>`;
