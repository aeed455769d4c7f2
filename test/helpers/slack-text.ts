// Every text Slack parses for mentions in a message: `text` fields and mrkdwn objects (plain_text
// is shown as written and never pings).
export function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const own = o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : [];
    return [...own, ...Object.entries(o).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' && o.type !== 'plain_text' && o.type !== 'mrkdwn' ? [v] : mrkdwnTexts(v)))];
  }
  return [];
}
