// Team mode: a request that asks for a kind of machine ("build the app on macos", `--on gpu`).
// Pure: the labels the workers have are passed in. `--on` takes any label (a worker with it may
// come later; the task then waits, saying so); the words "on <label>" count only for a label some
// worker has, so "a page on the website" stays a request about a page.
export type LabelRouting = { label: string | null; text: string } | { error: string };

const LABEL = /^[a-z0-9][a-z0-9._-]{0,31}$/i;
const FLAG = /(^|\s)(?:--|[—–])on(?=[\s=]|$)(?:=|[ \t]+)?(\S+)?/gi;

export function takeWorkerLabel(text: string, known: readonly string[]): LabelRouting {
  const flags = [...text.matchAll(FLAG)];
  if (flags.length > 1) return { error: '--on given twice' };
  const flag = flags[0];
  if (flag) {
    const label = flag[2] ?? '';
    if (!LABEL.test(label)) return { error: `--on needs a worker label, like --on macos or --on gpu${label ? ` (got "${label}")` : ''}` };
    return { label: label.toLowerCase(), text: squash(text.slice(0, flag.index) + (flag[1] ?? '') + text.slice(flag.index + flag[0].length)) };
  }
  for (const label of known) {
    const m = new RegExp(`\\s+on\\s+(?:a\\s+|the\\s+)?${label.replace(/[.]/g, '\\.')}(?:\\s+(?:worker|machine|box))?\\b`, 'i').exec(text);
    if (m) return { label: label.toLowerCase(), text: squash(text.slice(0, m.index) + text.slice(m.index + m[0].length)) };
  }
  return { label: null, text };
}

const squash = (text: string): string => text.replace(/[ \t]{2,}/g, ' ').replace(/\s+([,.;:!?])/g, '$1').trim();
