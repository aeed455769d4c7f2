// "Now": what is building (live progress bars and the agent's current step), what waits and why,
// what needs a person, and what finished lately. The board is re-fetched as a fragment when a task
// changes (the live script), and progress moves the bars in place.
import { html } from 'hono/html';
import type { Task } from '../../core/task.ts';
import type { Overview } from '../view-model.ts';
import { layout, type Html } from './layout.ts';
import { at, pill, progressBar, statusPill, taskLink, took } from './parts.ts';

export interface OverviewInput {
  view: Overview;
  recent: Task[];
  now: Date;
  timeZone: string;
  builderName: string;
}

export function board({ view, recent, now, timeZone }: OverviewInput): Html {
  const running = view.running.length
    ? view.running.map(
        (r) => html`<section class="card running" data-task="${r.task.id}">
  <div>${taskLink(r.task)} ${pill(r.task.priority, r.task.priority)} <span class="muted">attempt ${String(r.attempt?.n ?? 1)} · ${r.attempt?.builder ?? ''} · started ${at(r.attempt?.startedAt, now, timeZone)}</span></div>
  <div data-bar>${progressBar(r.progress?.percent ?? null)}</div>
  <div class="step"><span data-step>${r.progress?.message ?? 'starting'}</span> <span class="muted" data-percent>${r.progress?.percent === null || r.progress === null ? '' : `${String(r.progress.percent)}%`}</span></div>
</section>`,
      )
    : html`<p class="empty">Nothing is building right now.</p>`;
  const queue = view.queue.length
    ? html`<table><thead><tr><th>#</th><th>Task</th><th>Priority</th><th>Deadline</th><th>Why it waits</th></tr></thead><tbody>
${view.queue.map((q) => html`<tr data-task="${q.task.id}"><td class="num">${String(q.position)}</td><td>${taskLink(q.task)}</td><td>${pill(q.task.priority, q.task.priority)}</td><td>${q.task.deadline ? at(q.task.deadline, now, timeZone) : html`<span class="muted">none</span>`}</td><td>${q.why}</td></tr>`)}
</tbody></table>`
    : html`<p class="empty">The queue is empty.</p>`;
  const needsYou = view.needsYou.length
    ? html`<h2>Needs you</h2><table><tbody>${view.needsYou.map((t) => html`<tr data-task="${t.id}"><td>${taskLink(t)}</td><td>${statusPill(t, now, timeZone)}</td><td class="muted">${t.attempts.at(-1)?.reason ?? ''}</td></tr>`)}</tbody></table>`
    : '';
  const finished = recent.length
    ? html`<table><thead><tr><th>Task</th><th>Outcome</th><th>Finished</th><th>Took</th></tr></thead><tbody>
${recent.map((t) => html`<tr data-task="${t.id}"><td>${taskLink(t)}</td><td>${statusPill(t, now, timeZone)}</td><td>${at(t.updatedAt, now, timeZone)}</td><td>${took(t.attempts.reduce((s, a) => s + (a.durationMs ?? 0), 0))}</td></tr>`)}
</tbody></table>`
    : html`<p class="empty">Nothing has finished yet.</p>`;
  return html`<h2>Building</h2><div id="running">${running}</div>
<h2>Queue</h2>${queue}
${needsYou}
<h2>Finished lately</h2>${finished}`;
}

export function overviewPage(input: OverviewInput): Html {
  return layout({
    title: 'Now',
    page: 'overview',
    timeZone: input.timeZone,
    live: 'board',
    body: html`<h1>Tonight's work <span class="muted" style="font-size:13px;font-weight:normal">builds run ${input.builderName}</span></h1><div id="board">${board(input)}</div>`,
  });
}
