// "Last night" (one bar per attempt over the hours, coloured by outcome, the quiet window shaded)
// and "History" (build times and cost over time, success per builder). The numbers go in the page
// as JSON; Chart.js draws them (the live script sets the charts up).
import { html, raw } from 'hono/html';
import type { HistoryStats, Timeline } from '../view-model.ts';
import { layout, type Html } from './layout.ts';

/** JSON inside a <script> element: "</script>" and friends cannot end it early. */
const embedded = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function nightPage(t: Timeline, timeZone: string): Html {
  const counts = new Map<string, number>();
  for (const b of t.bars) counts.set(b.outcome, (counts.get(b.outcome) ?? 0) + 1);
  return layout({
    title: 'Last night',
    page: 'night',
    timeZone,
    live: 'night',
    scripts: ['chart.js', 'chart-annotation.js'],
    body: html`<h1>The last 24 hours</h1>
<p class="muted">${t.bars.length ? [...counts].map(([o, n]) => `${n} ${o.replace('_', ' ')}`).join(' · ') : 'No attempt ran in this time.'} · the shaded band is the quiet window.</p>
<section class="card"><div class="chart" style="height:${String(Math.max(180, 60 + t.rows.length * 30))}px"><canvas id="night-chart"></canvas></div></section>
<script type="application/json" id="night-data">${raw(embedded(t))}</script>`,
  });
}

export function historyPage(h: HistoryStats, timeZone: string, finished: number): Html {
  return layout({
    title: 'History',
    page: 'history',
    timeZone,
    scripts: ['chart.js'],
    body: html`<h1>History</h1>
<p class="muted">${String(finished)} finished tasks · ${String(h.points.length)} done.</p>
<h2>Build time of each finished task</h2><section class="card"><div class="chart small"><canvas id="duration-chart"></canvas></div></section>
<h2>Cost of each finished task (as the agent reported it)</h2><section class="card"><div class="chart small"><canvas id="cost-chart"></canvas></div></section>
<h2>Attempts that succeeded, per builder</h2><section class="card"><div class="chart small"><canvas id="builder-chart"></canvas></div></section>
<script type="application/json" id="history-data">${raw(embedded(h))}</script>`,
  });
}
