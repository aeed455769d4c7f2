#!/usr/bin/env node
// The bundled demo builder: what runs when no coding agent is installed, so a fresh machine can
// see the whole loop. It writes the spec into the workspace, reports progress, and exits 0.
// It builds nothing real, and every message about its builds says so.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const stepMs = Number(process.env.NIGHTSHIFT_DEMO_STEP_MS ?? 600);
const workspace = process.cwd();
const specFile = process.env.NIGHTSHIFT_SPEC_FILE;
const spec = specFile ? readFileSync(specFile, 'utf8') : '';
const taskId = process.env.NIGHTSHIFT_TASK_ID ?? 'task';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const steps = [
  [10, 'reading the spec'],
  [30, 'planning the work'],
  [55, 'writing NIGHTSHIFT_SPEC.md'],
  [80, 'writing DEMO_BUILD.md'],
  [100, 'done'],
];

// Its plan, as any builder may report one (a PLAN line: a JSON list of steps); the step under way moves on.
const plan = ['Read the spec', 'Plan the work', 'Write NIGHTSHIFT_SPEC.md', 'Write DEMO_BUILD.md'];
const planAt = (doing) => `PLAN ${JSON.stringify(plan.map((text, i) => ({ text, status: i < doing ? 'done' : i === doing ? 'in_progress' : 'pending' })))}`;

console.log(`demo builder: working on ${taskId} (no coding agent is configured; set BUILDER to use one)`);
console.log(planAt(0));
for (const [i, [percent, message]] of steps.entries()) {
  await sleep(stepMs);
  console.log(planAt(i + 1));
  if (percent === 55) writeFileSync(join(workspace, 'NIGHTSHIFT_SPEC.md'), `# Spec for ${taskId}\n\n${spec}\n`);
  if (percent === 80) {
    writeFileSync(
      join(workspace, 'DEMO_BUILD.md'),
      `# Demo build of ${taskId}\n\nThis workspace was filled by nightshift's demo builder, which builds nothing real.\n` +
        'Set BUILDER to a coding agent (claude, codex, aider, gemini, opencode) or to any executable to get real work.\n',
    );
  }
  console.log(`PROGRESS ${percent}% ${message}`);
}
