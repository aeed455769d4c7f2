// Command-line style flags inside a chat message: `--priority low` (or `-p low`, `--priority=low`),
// `--eta 4h` / `90m` / `1h30m` / `45min` (read by durations.ts; a number alone is refused),
// `--by "friday 5pm"`. Only these flags are taken out of the text; anything else that starts with
// dashes ("a CLI with a --verbose flag") is left as written.
// Chat apps turn "--" into an em or en dash, so "—priority low" is read as "--priority low".
// "-p" counts only before a priority-like word (high, low, urgent...), so "-p option" stays text.
import { parseDuration } from '../durations.ts';
import { PRIORITIES, type Priority } from '../task.ts';

export interface Flags {
  priority: { value: Priority; flag: string } | null;
  estimateMs: number | null;
  /** The raw `--by` value; dates.ts reads it. */
  by: { value: string; flag: string } | null;
}

export type FlagsResult = { ok: true; text: string; flags: Flags } | { ok: false; error: string };

const FLAG = /(^|\s)(?:--|[—–])(priority|eta|by)\b|(^|\s)-(p)\b/i;
const PRIORITY_LIKE = /^(?:high|medium|med|low|hi|lo|h|m|l|normal|urgent|critical|asap|top|p\d)$/i;
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };

interface RawFlag {
  name: 'priority' | 'eta' | 'by';
  /** As typed, for messages: "--priority" or "-p". */
  flag: string;
  value: string | null;
  start: number;
  end: number;
}

/** How many leading characters of the text are a date, or null: lets `--by friday please` keep "please". */
export type DateLength = (text: string) => number | null;

/**
 * Reads one value after a flag: quoted, `=value`, or one word; for an unquoted `--by`, the
 * words that make a date (dateLength), or every word up to the next flag when none do.
 */
function readValue(text: string, from: number, name: RawFlag['name'], dateLength?: DateLength): { value: string | null; end: number } {
  let at = from;
  if (text[at] === '=') at += 1;
  else while (text[at] === ' ' || text[at] === '\t') at += 1;
  const open = text[at] ?? '';
  const close = QUOTES[open];
  if (close) {
    const endQuote = text.indexOf(close, at + 1);
    if (endQuote > at) return { value: text.slice(at + 1, endQuote).trim(), end: endQuote + 1 };
  }
  const next = new RegExp(FLAG.source, 'gi');
  next.lastIndex = at;
  const nextFlag = next.exec(text)?.index ?? text.length;
  const lineEnd = text.indexOf('\n', at);
  const rest = text.slice(at, lineEnd >= 0 ? Math.min(nextFlag, lineEnd) : nextFlag);
  const dateEnd = name === 'by' ? (dateLength?.(rest) ?? null) : null;
  const word = name === 'by' ? rest.slice(0, dateEnd ?? rest.length).trimEnd() : (/^\S*/.exec(rest)?.[0] ?? '');
  // "-3h" is a (bad) value, not the next flag: said as such, not as "needs a value".
  if (word === '' || (word.startsWith('-') && !/^-\d/.test(word))) return { value: null, end: at };
  return { value: word, end: at + word.length };
}

function findFlags(text: string, dateLength?: DateLength): RawFlag[] {
  const found: RawFlag[] = [];
  const re = new RegExp(FLAG.source, 'gi');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lead = m[1] ?? m[3] ?? '';
    const rawName = (m[2] ?? m[4] ?? '').toLowerCase();
    const name = rawName === 'p' ? 'priority' : (rawName as RawFlag['name']);
    const flag = rawName === 'p' ? '-p' : `--${rawName}`;
    const start = m.index + lead.length;
    const { value, end } = readValue(text, m.index + m[0].length, name, dateLength);
    // "-p" is short enough to appear in a request ("a CLI with a -p option"): it is a flag only
    // when a priority-like word follows it.
    if (flag === '-p' && !PRIORITY_LIKE.test(value ?? '')) continue;
    found.push({ name, flag, value, start, end });
    re.lastIndex = Math.max(end, m.index + m[0].length);
  }
  return found;
}

export const BY_EXAMPLES = 'a date or time like "friday 5pm", "tomorrow" or "in 3 hours"';

const NEEDS: Record<RawFlag['name'], string> = {
  priority: 'high, medium or low',
  eta: 'a duration like 4h, 90m or 1h30m',
  by: BY_EXAMPLES,
};

/** Takes the known flags out of one line of text. Bad or repeated values give a specific error. */
export function extractFlags(text: string, dateLength?: DateLength): FlagsResult {
  const flags: Flags = { priority: null, estimateMs: null, by: null };
  const seen = new Set<RawFlag['name']>();
  let rest = text;
  const raw = findFlags(text, dateLength);
  for (const f of raw) {
    if (seen.has(f.name)) return { ok: false, error: `${f.flag} given twice` };
    seen.add(f.name);
    if (f.value === null) return { ok: false, error: `${f.flag} needs a value: ${NEEDS[f.name]}` };
    if (f.name === 'priority') {
      const value = f.value.toLowerCase();
      if (!(PRIORITIES as readonly string[]).includes(value)) {
        return { ok: false, error: `${f.flag} must be high, medium or low (got "${f.value}")` };
      }
      flags.priority = { value: value as Priority, flag: f.flag };
    } else if (f.name === 'eta') {
      const ms = parseDuration(f.value, { unitless: 'invalid' }); // `--eta 4`: four what?
      if (ms === null) return { ok: false, error: `${f.flag} must be ${NEEDS.eta} (got "${f.value}")` };
      flags.estimateMs = ms;
    } else {
      flags.by = { value: f.value, flag: f.flag };
    }
  }
  for (const f of [...raw].reverse()) rest = `${rest.slice(0, f.start)} ${rest.slice(f.end)}`;
  return { ok: true, text: rest.replace(/[ \t]{2,}/g, ' ').trim(), flags };
}
