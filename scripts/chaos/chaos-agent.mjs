#!/usr/bin/env node
// The chaos run's agent (BUILDER=<this file>): a custom builder that writes down what it does in a
// ledger the chaos run reads (CHAOS_LEDGER, passed through BUILDER_ENV_ALLOW), one JSON line per
// event, appended whole:
//   start      it began (task, attempt, pid)
//   overlap    it began while another live run of the same task held the task's run marker
//   failed     it failed on purpose ("chaos-fail1" in the spec: attempt 1 fails, exit 1)
//   finished   its work is written and it exits 0 at once
//   terminated it was asked to stop (SIGTERM) and does, exit 143
// Each event names the run's workspace (ws): in the team form, whose home, so which worker, ran it.
// A run ended by SIGKILL leaves no end event; its marker stays, and a later run checks whether the
// pid in it still lives. How long it works comes from the spec: "chaos-w800" is 800 ms.
import { appendFileSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ledger = process.env.CHAOS_LEDGER;
const task = process.env.NIGHTSHIFT_TASK_ID;
const attempt = Number(process.env.NIGHTSHIFT_ATTEMPT);
if (!ledger || !task) {
  console.error('chaos-agent: CHAOS_LEDGER and NIGHTSHIFT_TASK_ID must be set');
  process.exit(2);
}
const ws = process.env.NIGHTSHIFT_WORKSPACE;
const note = (ev, extra = {}) => appendFileSync(ledger, `${JSON.stringify({ ev, task, attempt, pid: process.pid, at: Date.now(), ws, ...extra })}\n`);

function isRunOf(pid) {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.includes(`NIGHTSHIFT_TASK_ID=${task}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chaos-agent');
  } catch {
    return false;
  }
}

const markers = join(dirname(ledger), 'running');
mkdirSync(markers, { recursive: true });
const marker = join(markers, task);
try {
  writeFileSync(marker, String(process.pid), { flag: 'wx' });
} catch {
  const other = Number(readFileSync(marker, 'utf8'));
  // A marker is left by a run that was SIGKILLed; it only counts when its process still runs.
  if (other > 0 && other !== process.pid && isRunOf(other)) note('overlap', { other });
  writeFileSync(marker, String(process.pid));
}
function release() {
  try {
    if (readFileSync(marker, 'utf8') === String(process.pid)) rmSync(marker, { force: true });
  } catch {
    // gone already
  }
}

note('start');
process.on('SIGTERM', () => {
  note('terminated');
  release();
  process.exit(143);
});

const spec = readFileSync(process.env.NIGHTSHIFT_SPEC_FILE, 'utf8');
const workMs = Number((/chaos-w(\d+)/.exec(spec) ?? [])[1] ?? 500);
const steps = Math.max(1, Math.round(workMs / 100));
for (let i = 1; i <= steps; i++) {
  await new Promise((r) => setTimeout(r, workMs / steps));
  console.log(`PROGRESS ${Math.round((i / steps) * 100)}% step ${i} of ${steps}`);
}
if (/chaos-fail1/.test(spec) && attempt === 1) {
  note('failed');
  release();
  console.error('failing attempt 1 on purpose');
  process.exit(1);
}
writeFileSync(`chaos-${task}.txt`, `built by attempt ${attempt}\n`);
release();
note('finished');
process.exit(0);
