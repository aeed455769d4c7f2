// Turns one line of a builder's output into a progress update. Builders may report a percentage
// with a line like `PROGRESS 40% writing tests` (or `[40%] writing tests`); any other non-empty
// line becomes the latest progress text with no percentage. A builder may also report its plan,
// whole, on one line: `PLAN ` and a JSON array of steps, each a string (not started) or
// {"text": "...", "status": "pending" | "in_progress" | "done" | "failed"}; the newest PLAN line
// is the plan. Pure, so it is tested by table.
import type { PlanStep } from '../core/task.ts';
import { planPercent } from './presets/text.ts';

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

const PLAN_LINE = /^\s*PLAN\s+(\[.*\])\s*$/;
const STATUSES = new Set<PlanStep['status']>(['pending', 'in_progress', 'done', 'failed']);
const MAX_STEPS = 50;

/** The plan on a `PLAN [...]` line; null when the line is not one (or its JSON is not a list of steps). */
export function parsePlanLine(raw: string): PlanStep[] | null {
  const m = PLAN_LINE.exec(raw);
  if (!m) return null;
  let list: unknown;
  try {
    list = JSON.parse(m[1] as string);
  } catch {
    return null;
  }
  if (!Array.isArray(list)) return null;
  const steps: PlanStep[] = [];
  for (const item of list.slice(0, MAX_STEPS)) {
    if (typeof item === 'string') steps.push({ text: clip(item), status: 'pending' });
    else if (item && typeof item === 'object' && typeof (item as { text?: unknown }).text === 'string') {
      const status = (item as { status?: unknown }).status;
      steps.push({ text: clip((item as { text: string }).text), status: STATUSES.has(status as PlanStep['status']) ? (status as PlanStep['status']) : 'pending' });
    } else return null;
  }
  return steps.filter((s) => s.text.trim() !== '');
}

/** "working on: <the step under way>" and how far along the plan is. */
export function planProgress(plan: readonly PlanStep[]): ProgressLine {
  const current = plan.find((s) => s.status === 'in_progress') ?? plan.find((s) => s.status === 'pending');
  return { percent: planPercent(plan.map((s) => ({ done: s.status === 'done' }))), message: current ? `working on: ${current.text}` : plan.some((s) => s.status === 'failed') ? 'a step of the plan failed' : 'plan complete' };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
