// Characters that change how text is shown rather than what it says: control characters (ESC
// starts a terminal escape sequence) and bidirectional overrides (they can make "txt.exe" read as
// "exe.txt"). Task titles are made without them, and the terminal never echoes them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Half of a two-unit character with its other half missing: no character at all, shown as "�". */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without control characters (line breaks and tabs kept), bidirectional overrides or broken characters. */
export function withoutUnsafeChars(text: string): string {
  return text.replace(UNSAFE, '').replace(LONE_SURROGATE, '');
}

/** The first `n` UTF-16 units of `text`, without splitting a character made of two (an emoji). */
export function cutAt(text: string, n: number): string {
  const cut = text.slice(0, Math.max(0, n));
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * A piece of someone's text quoted back to them in a message: without unsafe characters, on one
 * line, at most `max` characters (a 10 KB request is not echoed whole).
 */
export function quoteForDisplay(text: string, max = 60): string {
  const line = withoutUnsafeChars(text).replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${cutAt(line, max - 1).trimEnd()}…`;
}
