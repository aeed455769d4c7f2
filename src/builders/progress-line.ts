// Turns one line of a builder's output into a progress update. Builders may report a percentage
// with a line like `PROGRESS 40% writing tests` (or `[40%] writing tests`); any other non-empty
// line becomes the latest progress text with no percentage. Pure, so it is tested by table.

export interface ProgressLine {
  percent: number | null;
  message: string;
}

const MAX_MESSAGE = 200;
const EXPLICIT = /^\s*(?:progress[:\s]+|\[)\s*(\d{1,3})\s*%\s*\]?\s*[-:]?\s*(.*)$/i;
// Terminal colour and cursor codes that agents print; they mean nothing in chat.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function parseProgressLine(raw: string): ProgressLine | null {
  // Most lines carry neither: skip the replacements then (this runs for every line a builder prints).
  const plain = raw.includes('\u001b') ? raw.replace(ANSI, '') : raw;
  const line = (plain.includes('\r') ? plain.replace(/\r/g, '') : plain).trim();
  if (line === '') return null;
  const m = EXPLICIT.exec(line);
  if (m) {
    const percent = Math.min(100, Number(m[1]));
    const message = clip(m[2]?.trim() ?? '');
    return { percent, message };
  }
  return { percent: null, message: clip(line) };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
