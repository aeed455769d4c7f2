// The end of a build's output as a person reads it. An agent that streams JSON (Claude Code,
// Codex, Gemini, OpenCode) writes its words inside JSON lines; a raw tail of those is kilobytes of
// braces. Here each JSON line gives the words in it (a message's text, a result, an error) or
// nothing, and plain lines are kept; the raw log stays a path away.

const MAX_LINE = 240;

/** The human words in one parsed JSON line, or [] when it holds none (tool calls, usage, init). */
function wordsIn(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const o = value as Record<string, unknown>;
  const out: string[] = [];
  const text = (v: unknown) => {
    if (typeof v === 'string' && v.trim() !== '') out.push(v.trim());
  };
  text(o['result']);
  const error = o['error'];
  if (error && typeof error === 'object') text((error as Record<string, unknown>)['message']);
  // A one-word error is a code ("authentication_failed" beside Claude Code's own words), not words.
  else if (typeof error === 'string' && /\s/.test(error.trim())) text(error);
  if (o['type'] === 'error' || o['type'] === 'turn.failed') text(o['message']);
  if (Array.isArray(o['errors'])) o['errors'].forEach(text);
  const message = o['message'];
  if (typeof message === 'object' && message !== null) {
    const content = (message as Record<string, unknown>)['content'];
    if (Array.isArray(content)) for (const block of content) if (block && typeof block === 'object' && (block as Record<string, unknown>)['type'] === 'text') text((block as Record<string, unknown>)['text']);
  }
  if (o['type'] === 'text' || o['type'] === 'agent_message') text(o['text']);
  return out;
}

/** The last `count` lines a person can read, from an output tail that may be JSON lines. */
export function readableTail(tail: string, count = 10): string[] {
  const lines: string[] = [];
  // Claude Code's last words come twice (its final message, then the result line that repeats it): once is enough.
  const push = (...more: string[]) => {
    for (const l of more) if (l !== lines.at(-1)) lines.push(l);
  };
  for (const raw of tail.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('{')) {
      try {
        for (const words of wordsIn(JSON.parse(line))) push(...words.split('\n').map((l) => l.trim()).filter(Boolean));
        continue;
      } catch {
        // not JSON after all (a torn line): shown as written, cut below
      }
    }
    push(line);
  }
  return lines.slice(-count).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE - 1)}…` : l));
}
