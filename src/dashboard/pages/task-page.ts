// One task in depth: what was asked and clarified, the safety verdict and who decided, every
// attempt with what it cost, the agent's summary, the work (branch, commits, the diff), the logs.
// A running task's progress and log tail move live.
import { html, raw } from 'hono/html';
import type { Progress } from '../../core/ports.ts';
import { publishProblems } from '../../core/publish-problems.ts';
import type { PlanStep, Task } from '../../core/task.ts';
import { canAccept } from '../../core/transitions.ts';
import { PLAN_MARK, planOf } from '../../adapters/shared/card-facts.ts';
import { layout, type Html } from './layout.ts';
import { at, bytes, pill, progressBar, statusPill, took } from './parts.ts';

export interface TaskPageInput {
  task: Task;
  now: Date;
  timeZone: string;
  progress: Progress | null;
  /** "starts at 22:00 tonight (quiet hours)" for a waiting task. */
  nextStep: string | null;
  /** diff2html's rendering of the branch's diff (it escapes the text), or why there is none. */
  diff: { html: string } | { none: string };
  /** The end of the running (or last) attempt's log, as a person reads it. */
  logTail: string;
  canAct: boolean;
}

/** The agent's own todo list: live while it builds (the live script redraws it), else as the last attempt left it. */
export function planList(plan: PlanStep[] | undefined, taskId: string): Html {
  if (!plan?.length) return html`<p class="empty" data-plan="${taskId}">The agent has not shared a plan (Claude Code, Codex and OpenCode do when they keep a todo list).</p>`;
  return html`<ul class="plan" data-plan="${taskId}">${plan.map((s) => html`<li class="${s.status}"><span class="mark">${PLAN_MARK[s.status]}</span> ${s.text}</li>`)}</ul>`;
}

const DECISIONS = new Set(['approved', 'rejected', 'cancelled', 'retried', 'accepted', 'clarified', 'priority_changed', 'approval_requested', 'approval_reminded']);

function actions(task: Task): Html {
  const can = {
    approve: task.status === 'awaiting_approval',
    cancel: !['done', 'cancelled', 'rejected'].includes(task.status),
    retry: task.status === 'escalated' || task.status === 'failed' || task.status === 'cancelled',
    accept: canAccept(task),
  };
  const button = (verb: keyof typeof can, label: string, primary = false) =>
    can[verb] ? html`<button class="${primary ? 'primary' : ''}" data-action="${verb}" data-task="${task.id}">${label}</button>` : '';
  return html`<div class="actions">${button('approve', 'Approve', true)}${button('retry', 'Retry', true)}${button('accept', 'Accept anyway')}${button('cancel', 'Cancel')}</div>`;
}

export function taskPage(i: TaskPageInput): Html {
  const { task, now, timeZone } = i;
  const d = task.deliverables;
  const building = task.status === 'building';
  const decisions = task.events.filter((e) => DECISIONS.has(e.type));
  const attempts = task.attempts.length
    ? html`<table><thead><tr><th>#</th><th>Outcome</th><th>Why</th><th>Started</th><th class="num">Took</th><th class="num">CPU</th><th class="num">Peak memory</th><th class="num">Tokens</th><th class="num">Cost</th><th>Log</th></tr></thead><tbody>
${task.attempts.map((a) => {
  const tokens = (a.usage?.inputTokens ?? 0) + (a.usage?.outputTokens ?? 0);
  return html`<tr><td class="num">${String(a.n)}</td><td>${pill(a.outcome, a.outcome.replace('_', ' '))}</td><td>${a.reason ?? ''}<div class="muted">${a.builder}${a.sessionId ? ` · session ${a.sessionId.slice(0, 8)}` : ''}</div></td><td>${at(a.startedAt, now, timeZone)}</td><td class="num">${took(a.durationMs)}</td><td class="num">${a.resources?.samples ? took(a.resources.cpuMs) : ''}</td><td class="num">${a.resources?.samples ? bytes(a.resources.peakRssBytes) : ''}</td><td class="num">${tokens ? tokens.toLocaleString('en-US') : ''}</td><td class="num">${a.usage?.costUsd === undefined ? '' : `$${a.usage.costUsd.toFixed(2)}`}</td><td><a href="/tasks/${task.id}/attempts/${String(a.n)}/log">log</a></td></tr>`;
})}
</tbody></table>`
    : html`<p class="empty">No attempt yet${i.nextStep ? `: ${i.nextStep}` : ''}.</p>`;
  const safety = task.safety.reasons.length
    ? html`<ul>${task.safety.reasons.map((r) => html`<li>${r.message} <span class="muted">(“${r.quote}”)</span></li>`)}</ul>`
    : html`<p class="muted">Nothing in the request needed the owner's approval.</p>`;
  return layout({
    title: `${task.id} ${task.title}`,
    page: 'task',
    timeZone,
    live: `task:${task.id}`,
    body: html`<h1>${task.id} ${task.title} ${statusPill(task, now, timeZone)}</h1>
${i.canAct ? actions(task) : ''}
<section class="card"><dl class="facts">
${task.project ? html`<dt>Project</dt><dd>${task.project}</dd>` : ''}
<dt>Priority</dt><dd>${pill(task.priority, task.priority)} <span class="muted">${task.priorityReason}</span></dd>
<dt>Deadline</dt><dd>${task.deadline ? at(task.deadline, now, timeZone) : 'none'}</dd>
<dt>Asked by</dt><dd>${task.origin.userName ?? task.origin.userId} <span class="muted">on ${task.origin.adapter}, ${at(task.createdAt, now, timeZone)}</span></dd>
${i.nextStep ? html`<dt>Next</dt><dd>${i.nextStep}</dd>` : ''}
</dl></section>
${building ? html`<section class="card running" data-task="${task.id}"><div data-bar>${progressBar(i.progress?.percent ?? null)}</div><div class="step"><span data-step>${i.progress?.message ?? 'starting'}</span> <span class="muted" data-percent>${i.progress?.percent === null || !i.progress ? '' : `${String(i.progress.percent)}%`}</span></div></section>` : ''}
<h2>The agent's plan</h2><section class="card">${planList(planOf(task, i.progress) ?? undefined, task.id)}</section>
<h2>Request</h2><section class="card"><div class="spec">${task.request}</div>
${task.clarifications.length ? html`<h3>Clarifications</h3><ul>${task.clarifications.map((c) => html`<li><b>${c.by}</b> <span class="muted">${at(c.at, now, timeZone)}</span>: ${c.text}</li>`)}</ul>` : ''}</section>
<h2>Safety</h2><section class="card">${safety}
${decisions.length ? html`<ul>${decisions.map((e) => html`<li>${e.type.replace('_', ' ')}${e.by ? html` by <b>${e.by}</b>` : ''} <span class="muted">${at(e.at, now, timeZone)}</span>${e.detail ? html`: ${e.detail}` : ''}</li>`)}</ul>` : ''}</section>
<h2>Attempts</h2><section class="card">${attempts}</section>
<h2>${building ? 'Log, live' : 'End of the log'}</h2><pre class="log" id="log">${i.logTail || ' '}</pre>
${d.summary ? html`<h2>What the agent says it did</h2><section class="card"><div class="spec">${d.summary}</div></section>` : ''}
<h2>Work</h2><section class="card"><dl class="facts">
<dt>Branch</dt><dd>${d.branch ?? html`<span class="muted">none yet</span>`}</dd>
<dt>Workspace</dt><dd>${d.workspace ?? ''}</dd>
${d.pushed ? html`<dt>Pushed to</dt><dd><code>${d.pushed}</code></dd>` : ''}
${d.links.length ? html`<dt>Links</dt><dd>${d.links.map((l) => html`<a href="${l}">${l}</a> `)}</dd>` : ''}
${d.noPullRequest ? html`<dt>Left undone</dt><dd>${publishProblems(d.noPullRequest)}</dd>` : ''}
<dt>Commits</dt><dd>${d.commits.length ? html`<ul>${d.commits.map((c) => html`<li><code>${c}</code></li>`)}</ul>` : 'none'}</dd>
${d.diffstat ? html`<dt>Changes</dt><dd><code>${d.diffstat}</code></dd>` : ''}
</dl></section>
<h2>Diff</h2>${'html' in i.diff ? html`<section class="card diff">${raw(i.diff.html)}</section>` : html`<p class="empty">${i.diff.none}</p>`}`,
    styles: ['diff2html.css'],
  });
}
