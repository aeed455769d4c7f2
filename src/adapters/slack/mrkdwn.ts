// Text from users and agents, made safe for Slack's mrkdwn: &, < and > are the only characters
// Slack parses for mentions and links (<!channel>, <@U123>, <!here>), so escaping them means task
// text can never ping anyone or break the formatting. Messages are sent without link_names, so a
// plain "@channel" stays plain text.
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped, and cut to `max` characters with a pointer to where the rest is. */
export function safeText(text: string, max: number, rest = 'the full log'): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  const note = ` … (cut; see ${rest})`;
  return `${escaped.slice(0, Math.max(0, max - note.length)).replace(/&[a-z]*$/, '')}${note}`;
}

/** A code block that cannot be closed early by the text inside it. */
export function codeBlock(text: string, max: number, rest = 'the full log'): string {
  return `\`\`\`${safeText(text.replace(/```/g, "'''"), max - 6, rest)}\`\`\``;
}

export const mention = (userId: string): string => `<@${userId}>`;

/** A person recorded in task history: a Slack member id is shown as their name, anything else as text. */
export const who = (by: string): string => (/^[UW][A-Z0-9]{2,}$/.test(by) ? `<@${by}>` : escapeMrkdwn(by));

/** A link Slack renders; characters that would end or split it are percent-encoded. */
export function link(url: string, label?: string): string {
  const safe = url.replace(/[|<> ]/g, (c) => encodeURIComponent(c));
  return label ? `<${safe}|${escapeMrkdwn(label)}>` : `<${safe}>`;
}
