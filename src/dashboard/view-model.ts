// What the dashboard shows, worked out from tasks: pure functions, no I/O, the clock passed in.
// The pages turn these into HTML; the benches and tests call them directly.
import type { Policy } from '../core/policy.ts';
import type { Progress } from '../core/ports.ts';
import { currentOrNextWindow } from '../core/quiet-hours.ts';
import { describeStart, sortForStart, type ScheduleDecision } from '../core/schedule.ts';
import type { Attempt, Task } from '../core/task.ts';

export interface RunningRow {
  task: Task;
  attempt: Attempt | undefined;
  progress: Progress | null;
  elapsedMs: number;
}

export interface QueueRow {
  position: number;
  task: Task;
  /** "starts at 22:00 tonight (quiet hours)", "waiting for your approval", "next in line after t-3". */
  why: string;
}

export interface Overview {
  running: RunningRow[];
  queue: QueueRow[];
  /** Escalated: failed for good, waiting for a person. */
  needsYou: Task[];
}

export function overview(live: readonly Task[], decision: ScheduleDecision, now: Date, policy: Policy, progressOf: (id: string) => Progress | null): Overview {
  const running = live
    .filter((t) => t.status === 'building')
    .map((task) => {
      const attempt = task.attempts.at(-1);
      return { task, attempt, progress: progressOf(task.id), elapsedMs: attempt ? Math.max(0, now.getTime() - Date.parse(attempt.startedAt)) : 0 };
    });
  const waiting = sortForStart(live.filter((t) => t.status === 'queued' || t.status === 'failed' || t.status === 'awaiting_approval'));
  const queue = waiting.map((task, i) => ({ position: i + 1, task, why: describeStart(task, now, policy, decision) }));
  return { running, queue, needsYou: live.filter((t) => t.status === 'escalated') };
}

export type BarOutcome = Attempt['outcome'];

export interface TimelineBar {
  taskId: string;
  title: string;
  attempt: number;
  start: number;
  end: number;
  outcome: BarOutcome;
}

export interface Timeline {
  from: number;
  to: number;
  bars: TimelineBar[];
  quiet: Array<{ start: number; end: number }>;
  /** Task ids in the order their rows are drawn (first attempt first). */
  rows: string[];
}

/** Every attempt that overlaps [from, to], one bar each; a running one ends at `now`. The quiet windows in that span, for shading. */
export function timeline(tasks: readonly Task[], from: Date, to: Date, now: Date, policy: Policy): Timeline {
  const bars: TimelineBar[] = [];
  for (const task of tasks) {
    for (const a of task.attempts) {
      const start = Date.parse(a.startedAt);
      const end = a.endedAt ? Date.parse(a.endedAt) : a.outcome === 'running' ? now.getTime() : start;
      if (end < from.getTime() || start > to.getTime()) continue;
      bars.push({ taskId: task.id, title: task.title, attempt: a.n, start, end: Math.max(end, start), outcome: a.outcome });
    }
  }
  bars.sort((x, y) => x.start - y.start);
  const rows = [...new Set(bars.map((b) => b.taskId))];
  const quiet: Array<{ start: number; end: number }> = [];
  for (let t = new Date(from.getTime() - 1); ; ) {
    const w = currentOrNextWindow(t, policy.quietHours, policy.timeZone);
    if (!w || w.start.getTime() >= to.getTime()) break;
    quiet.push({ start: Math.max(w.start.getTime(), from.getTime()), end: Math.min(w.end.getTime(), to.getTime()) });
    t = new Date(w.end.getTime() + 1);
  }
  return { from: from.getTime(), to: to.getTime(), bars, quiet, rows };
}

export interface HistoryPoint {
  id: string;
  at: number;
  durationMs: number;
  costUsd: number | null;
}

export interface BuilderRate {
  builder: string;
  attempts: number;
  succeeded: number;
}

export interface HistoryStats {
  points: HistoryPoint[];
  builders: BuilderRate[];
}

/** Finished tasks, oldest first: each done task's build time and cost; per builder, how many attempts succeeded. */
export function historyStats(finished: readonly Task[]): HistoryStats {
  const points: HistoryPoint[] = [];
  const rates = new Map<string, BuilderRate>();
  for (const task of finished) {
    for (const a of task.attempts) {
      if (a.outcome === 'running' || a.outcome === 'cancelled' || a.outcome === 'interrupted') continue;
      const r = rates.get(a.builder) ?? { builder: a.builder, attempts: 0, succeeded: 0 };
      r.attempts++;
      if (a.outcome === 'succeeded') r.succeeded++;
      rates.set(a.builder, r);
    }
    if (task.status !== 'done') continue;
    const won = task.attempts.findLast((a) => a.outcome === 'succeeded');
    if (!won?.endedAt) continue;
    const cost = task.attempts.reduce<number | null>((sum, a) => (a.usage?.costUsd === undefined ? sum : (sum ?? 0) + a.usage.costUsd), null);
    points.push({ id: task.id, at: Date.parse(won.endedAt), durationMs: task.attempts.reduce((s, a) => s + (a.durationMs ?? 0), 0), costUsd: cost });
  }
  points.sort((x, y) => x.at - y.at);
  return { points, builders: [...rates.values()].sort((x, y) => y.attempts - x.attempts) };
}
