// Characters that change how text is shown rather than what it says: control characters (ESC
// starts a terminal escape sequence) and bidirectional overrides (they can make "txt.exe" read as
// "exe.txt"). Task titles are made without them, and the terminal never echoes them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text without control characters (line breaks and tabs kept) or bidirectional overrides. */
export function withoutUnsafeChars(text: string): string {
  return text.replace(UNSAFE, '');
}
