// The morning briefing as a person wants it at 07:30, platform-neutral: a headline ("3 built, 1
// needs you, 1 failed"), what needs you first, then each finished task with the agent's own one-line
// summary, time taken, cost and links, what waited (quota, a retry) and why, and what is next
// tonight. The console renders it as text (here), Slack as blocks and Discord as embeds (their
// adapters), never as a log in a code block.
import { doneCheckSummary } from '../core/check-summary.ts';
import { formatDuration } from '../core/durations.ts';
import type { WaitingTask } from '../core/schedule.ts';
import type { Summary } from '../core/summary.ts';
import type { TaskLinks } from '../core/ports.ts';
import type { Task } from '../core/task.ts';
import { formatOwnerTime } from '../core/time-of-day.ts';
import { attemptsInBudget, lastAttempt } from '../core/transitions.ts';
import { escalatedChoices, waitsForQuota, when } from './format.ts';
import { formatAgentUsage } from './usage-format.ts';

export interface NeedsYou {
  task: Task;
  kind: 'approval' | 'escalated';
  /** Why it waits for the owner: the approval reasons, or the last error. */
  why: string;
}

export interface Built {
  task: Task;
  /** The agent's own account of what it did, first line only; null when it said nothing. */
  said: string | null;
  /** "42m", "1h 5m over 2 attempts". */
  took: string;
  /** "$0.31 · 12 turns", or null when the agent reported no usage. */
  cost: string | null;
  pullRequest: string | null;
  branch: string | null;
  demo: boolean;
  /**
   * "checks passed (npm test, 42s)", "no checks configured", or "accepted by Ann with checks failing
   * (…)": done is not said to be checked when it was not.
   */
  checks: string;
}

export interface Waiting {
  task: Task;
  /** "waiting for quota until 09:14", "retries at 08:02 (attempt 2 of 3)". */
  why: string;
}

export interface Briefing {
  /** "3 built, 1 needs you, 1 failed"; "A quiet night: nothing was built and nothing waits for you." */
  headline: string;
  /** "Since 23:10 Sat 5 Dec (Europe/London)". */
  since: string;
  needsYou: NeedsYou[];
  built: Built[];
  building: Waiting[];
  waited: Waiting[];
  /** What is queued and when it starts (tonight's quiet hours, next in line...). */
  next: Waiting[];
  dropped: Waiting[];
  /** The dashboard, when it is on: the night at a glance, and each task's page. */
  dashboard: { night: string; task: (id: string) => string } | null;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The first sentence or line of what the agent said it did, cut to a readable length. */
function firstLine(text: string | undefined): string | null {
  // Headings ("## Summary") and labels ("What I did:") are not what it did.
  const isLabel = (l: string) => l.startsWith('#') || (/:$/.test(l) && l.split(/\s+/).length <= 4);
  const line = text?.split('\n').map((l) => l.trim()).find((l) => l !== '' && !isLabel(l));
  if (!line) return null;
  const clean = line.replace(/^(?:[-*•]\s+)/, '').replace(/\*\*/g, '');
  return clean.length > 200 ? `${clean.slice(0, 199)}…` : clean;
}

function took(task: Task): string {
  const ran = task.attempts.filter((a) => a.durationMs !== undefined);
  const last = lastAttempt(task)?.durationMs ?? 0;
  if (ran.length <= 1) return formatDuration(last);
  const total = ran.reduce((sum, a) => sum + (a.durationMs ?? 0), 0);
  return `${formatDuration(total)} over ${ran.length} attempts`;
}

function escalationWhy(task: Task): string {
  const reason = lastAttempt(task)?.reason ?? 'it kept failing';
  return `failed ${plural(attemptsInBudget(task), 'time')}: ${reason.length > 200 ? `${reason.slice(0, 199)}…` : reason}`;
}

/** When a waiting task goes next, from the schedule's answer the summary carries. */
function nextText(task: Task, waiting: WaitingTask | null, now: Date, tz: string): string {
  if (task.status === 'failed' && task.retryAt) return `retries at ${when(task.retryAt, now, tz)}`;
  if (!waiting) return 'ready to start';
  const at = waiting.startsAt ? when(waiting.startsAt.toISOString(), now, tz) : null;
  switch (waiting.waitsFor) {
    case 'quiet_hours':
      return at ? `starts at ${at} (quiet hours)` : waiting.why;
    case 'slot':
      return waiting.after ? `next in line after ${waiting.after}` : 'next in line, when a build slot frees up';
    default:
      return waiting.why;
  }
}

export function makeBriefing(s: Summary, links: TaskLinks | null = null): Briefing {
  const now = new Date(s.generatedAt);
  const tz = s.timeZone;
  const describeNext = (t: Task) => nextText(t, s.queued.find((q) => q.task.id === t.id)?.waiting ?? null, now, tz);
  const needsYou: NeedsYou[] = [
    ...s.awaitingApproval.map((task) => ({ task, kind: 'approval' as const, why: `waits for your approval: ${task.safety.reasons.map((r) => r.message).join('; ')}` })),
    ...s.escalated.map((task) => ({ task, kind: 'escalated' as const, why: escalationWhy(task) })),
  ];
  const built: Built[] = s.done.map((task) => ({
    task,
    said: firstLine(task.deliverables.summary),
    took: took(task),
    cost: formatAgentUsage(lastAttempt(task)?.usage) || null,
    pullRequest: task.deliverables.links.find((l) => /\/pull\/\d+|\/merge_requests\/\d+/.test(l)) ?? task.deliverables.links[0] ?? null,
    branch: task.deliverables.branch ?? null,
    demo: lastAttempt(task)?.demo ?? false,
    checks: doneCheckSummary(task),
  }));
  const quota = s.retrying.filter(waitsForQuota);
  const retrying = s.retrying.filter((t) => !waitsForQuota(t));
  const waited: Waiting[] = [
    ...quota.map((task) => ({ task, why: task.retryAt ? `waiting for quota until ${when(task.retryAt, now, tz)}` : 'waiting for quota' })),
    ...retrying.map((task) => ({ task, why: `failed (${lastAttempt(task)?.reason ?? 'unknown'}); ${describeNext(task)}` })),
  ];
  const parts = [
    s.done.length ? `${s.done.length} built` : null,
    s.awaitingApproval.length ? `${s.awaitingApproval.length} need${s.awaitingApproval.length === 1 ? 's' : ''} you` : null,
    s.escalated.length ? `${s.escalated.length} failed` : null,
    retrying.length ? `${retrying.length} retrying` : null,
    quota.length ? `${quota.length} waiting for quota` : null,
    s.building.length ? `${s.building.length} still building` : null,
  ].filter((p): p is string => p !== null);
  const queuedOnly = s.queued.length;
  const headline = parts.length
    ? parts.join(', ')
    : queuedOnly
      ? `Nothing built yet; ${plural(queuedOnly, 'task')} queued`
      : 'A quiet night: nothing was built and nothing waits for you';
  return {
    headline,
    since: `Since ${formatOwnerTime(new Date(s.since), now, tz)} (${tz})`,
    needsYou,
    built,
    building: s.building.map((task) => ({ task, why: `building since ${when(lastAttempt(task)?.startedAt ?? task.updatedAt, now, tz)}` })),
    waited,
    next: s.queued.map((q) => ({ task: q.task, why: describeNext(q.task) })),
    dropped: s.dropped.map((task) => {
      const decided = [...task.events].reverse().find((e) => e.type === task.status);
      const reason = decided?.detail && decided.detail !== `cancelled by ${decided.by}` ? `: ${decided.detail}` : '';
      return { task, why: `${task.status}${decided?.by ? ` by ${decided.by}` : ''}${reason}` };
    }),
    dashboard: links ? { night: `${links.home}night`, task: (id) => links.task(id) } : null,
  };
}

/** What the owner can type about a task that needs them, on the console and in the CLI. */
function consoleActions(n: NeedsYou): string {
  const id = n.task.id;
  return n.kind === 'approval' ? `"approve ${id}" or "reject ${id}"` : escalatedChoices(n.task);
}

/** The briefing as console text: headline first, what needs you next, then the rest. */
export function renderBriefingText(b: Briefing): string {
  const out = [`Good morning. ${b.headline}.`, `${b.since}.`];
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.push('', `${title}:`, ...lines);
  };
  section('Needs you', b.needsYou.map((n) => `  ${n.task.id} "${n.task.title}" ${n.why} · ${consoleActions(n)}`));
  section(
    'Built',
    b.built.flatMap((x) => {
      const bits = [x.took, x.checks, x.cost, x.pullRequest ?? (x.branch ? `branch ${x.branch}` : null), b.dashboard?.task(x.task.id)].filter(Boolean).join(' · ');
      const head = `  ${x.task.id} "${x.task.title}"${x.demo ? ' (demo build: nothing real was built)' : ''} · ${bits}`;
      return x.said ? [head, `      ${x.said}`] : [head];
    }),
  );
  section('Still building', b.building.map((w) => `  ${w.task.id} "${w.task.title}" · ${w.why}`));
  section('Waited', b.waited.map((w) => `  ${w.task.id} "${w.task.title}" · ${w.why}`));
  section('Next', b.next.map((w) => `  ${w.task.id} "${w.task.title}" · ${w.why}`));
  section('Cancelled or rejected', b.dropped.map((w) => `  ${w.task.id} "${w.task.title}" · ${w.why}`));
  if (b.dashboard) out.push('', `The night at a glance: ${b.dashboard.night}`);
  return out.join('\n');
}
