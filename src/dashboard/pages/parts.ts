// Small pieces the pages share: status pills, times in the owner's zone, durations, sizes.
import { html } from 'hono/html';
import { formatDuration } from '../../core/durations.ts';
import { formatOwnerTime } from '../../core/time-of-day.ts';
import type { Task } from '../../core/task.ts';
import { statusLabel } from '../../commands/format.ts';
import type { Html } from './layout.ts';

export const pill = (cls: string, text: string): Html => html`<span class="pill ${cls}">${text}</span>`;

export const statusPill = (task: Task, now: Date, timeZone: string): Html => pill(task.status, statusLabel(task, now, timeZone));

export const at = (iso: string | null | undefined, now: Date, timeZone: string): string => (iso ? formatOwnerTime(new Date(iso), now, timeZone) : '');

export const took = (ms: number | undefined): string => (ms === undefined ? '' : formatDuration(ms));

export function bytes(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(n < 100 * 1024 * 1024 ? 1 : 0)} MiB`;
}

export const taskLink = (task: Pick<Task, 'id' | 'title'>): Html => html`<a href="/tasks/${task.id}">${task.id}</a> ${task.title}`;

export function progressBar(percent: number | null): Html {
  return percent === null ? html`<div class="bar unknown"><i></i></div>` : html`<div class="bar"><i style="width:${String(Math.max(0, Math.min(100, percent)))}%"></i></div>`;
}
