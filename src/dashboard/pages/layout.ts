// The page around every view: the title, the navigation, the stylesheet and the live script.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const CSS = `
:root { color-scheme: light dark; --bg:#fafafa; --fg:#1d1d1f; --muted:#6b6b70; --line:#e2e2e6; --card:#fff; --accent:#4b5bdc;
  --ok:#1f9d55; --bad:#d64545; --warn:#d98b00; --run:#3b82f6; --idle:#9a9aa2; }
@media (prefers-color-scheme: dark) { :root { --bg:#131316; --fg:#ececf1; --muted:#9b9ba6; --line:#2c2c33; --card:#1c1c21; } }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
header { display:flex; gap:20px; align-items:center; padding:10px 20px; border-bottom:1px solid var(--line); background:var(--card); position:sticky; top:0; }
header b { font-size:15px; } header a { color:var(--muted); text-decoration:none; } header a.here { color:var(--fg); font-weight:600; }
header .live { margin-left:auto; font-size:12px; color:var(--muted); }
main { max-width:1100px; margin:0 auto; padding:16px 20px 40px; }
h1 { font-size:20px; margin:8px 0 12px; } h2 { font-size:15px; margin:22px 0 8px; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
section.card, .card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; margin-bottom:10px; }
table { width:100%; border-collapse:collapse; } th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); font-size:12px; } td.num { text-align:right; font-variant-numeric:tabular-nums; }
a { color:var(--accent); } .muted { color:var(--muted); } .empty { color:var(--muted); font-style:italic; }
.pill { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; background:var(--line); white-space:nowrap; }
.pill.done,.pill.succeeded { background:#d6f5e3; color:#11693a; } .pill.failed,.pill.escalated,.pill.timed_out { background:#fbe0e0; color:#a32a2a; }
.pill.building,.pill.running { background:#dde9fd; color:#1d4fa8; } .pill.awaiting_approval,.pill.usage_limited { background:#fdefd3; color:#8a5800; }
.pill.high { background:#fbe0e0; color:#a32a2a; } .pill.medium { background:#fdefd3; color:#8a5800; } .pill.low { background:var(--line); }
.bar { height:8px; background:var(--line); border-radius:4px; overflow:hidden; margin:6px 0 4px; }
.bar > i { display:block; height:100%; background:var(--run); width:0; transition:width .3s; }
.bar.unknown > i { width:100%; opacity:.35; animation:pulse 1.4s ease-in-out infinite; }
@keyframes pulse { 50% { opacity:.12; } }
.step { font-size:13px; } pre.log { background:#111; color:#ddd; padding:10px; border-radius:6px; max-height:320px; overflow:auto; font-size:12px; white-space:pre-wrap; word-break:break-word; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 14px; margin:0; } dl.facts dt { color:var(--muted); }
.actions button { margin-right:6px; padding:4px 12px; border-radius:6px; border:1px solid var(--line); background:var(--card); color:var(--fg); cursor:pointer; }
.actions button.primary { background:var(--accent); border-color:var(--accent); color:#fff; }
.chart { position:relative; height:340px; } .chart.small { height:240px; }
.spec { white-space:pre-wrap; }
ul.plan { list-style:none; padding:0; margin:0; } ul.plan li { padding:2px 0; } ul.plan .mark { display:inline-block; width:1.4em; }
ul.plan li.done { color:var(--muted); text-decoration:line-through; } ul.plan li.in_progress { font-weight:600; } ul.plan li.in_progress .mark { color:var(--run); } ul.plan li.failed .mark { color:var(--bad); }
`;

export type PageName = 'overview' | 'night' | 'history' | 'task';

export function layout(opts: { title: string; page: PageName; body: Html; scripts?: string[]; styles?: string[]; live?: string; timeZone: string }): Html {
  const nav = (name: PageName, href: string, label: string) => html`<a href="${href}" class="${opts.page === name ? 'here' : ''}">${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · nightshift</title>
<style>${raw(CSS)}</style>
${(opts.styles ?? []).map((s) => html`<link rel="stylesheet" href="/assets/${s}">`)}
</head>
<body data-live="${opts.live ?? ''}" data-tz="${opts.timeZone}">
<header><b>nightshift</b>${nav('overview', '/', 'Now')}${nav('night', '/night', 'Last night')}${nav('history', '/history', 'History')}<span class="live" id="live-state">times in ${opts.timeZone}</span></header>
<main>${opts.body}</main>
${(opts.scripts ?? []).map((s) => html`<script src="/assets/${s}"></script>`)}
<script src="/assets/live.js"></script>
</body>
</html>`;
}
