// build: chat text → task drafts → tasks, with a reply that says what was understood and what
// happens next. Questions are answered instead of becoming tasks.
import { interpretMessage } from '../core/intake/index.ts';
import { routeRequest } from '../core/project-routing.ts';
import { takeWorkerLabel } from '../core/worker-label.ts';
import type { ScheduleDecision } from '../core/schedule.ts';
import type { Task, TaskDraft } from '../core/task.ts';
import { ASK_ABOVE, askToConfirm, MAX_PER_MESSAGE, tooManyText } from './big-request.ts';
import { canRequest, displayName } from './actor.ts';
import type { CommandContext } from './context.ts';
import { deadlineText } from './format.ts';
import { helpReply, hintReply } from './help.ts';
import { deadlineWarning, nextStep } from './next-step.ts';
import { queueReply } from './queue.ts';
import { errorReply, type Reply } from './reply.ts';
import { statusReply } from './status.ts';
import { summaryReply } from './summary.ts';
import { projectQuestion } from './projects.ts';
import { awaitProjectAnswer } from './project-answer.ts';

export interface BuildOptions {
  /**
   * The words are known to be a request (`nightshift add "a hello-world CLI"`): when they do not
   * read as one on their own, they are read as "build <words>".
   */
  asRequest?: boolean;
  /** `nightshift add --yes`: a very long list is queued without asking first. */
  confirmed?: boolean;
}

/** A reply describes at most this many new tasks one by one; the rest are summed up. */
const DESCRIBED = 10;

export async function buildCommand(ctx: CommandContext, text: string, opts: BuildOptions = {}): Promise<Reply> {
  const { engine, actor } = ctx;
  const now = new Date(engine.now().getTime());
  const intake = { now, timeZone: engine.policy.timeZone };
  const read = (words: string) => {
    const own = interpretMessage(words, intake);
    return opts.asRequest && own.kind !== 'tasks' && own.kind !== 'invalid' ? interpretMessage(`build ${words}`, intake) : own;
  };
  const meaning = read(text);
  switch (meaning.kind) {
    case 'invalid':
      return errorReply(`${meaning.error}. Nothing was queued.`);
    case 'unclear':
      return hintReply(meaning.hint);
    case 'question':
      if (meaning.topic === 'queue') return queueReply(ctx);
      if (meaning.topic === 'summary') return summaryReply(ctx);
      if (meaning.topic === 'help') return helpReply();
      return statusReply(ctx, meaning.taskId);
    case 'tasks':
      break;
  }
  if (!canRequest(actor)) {
    return errorReply(`Sorry${actor.name ? ` ${actor.name}` : ''}, you are not on the list of people who can request builds. Ask the owner to add you.`);
  }
  let drafts = meaning.drafts;
  // Team mode: a request may ask for a kind of worker ("on macos", --on gpu).
  const labels = engine.workerLabels;
  const asked = takeWorkerLabel(text, labels ?? []);
  if ('error' in asked) return errorReply(`${asked.error}. Nothing was queued.`);
  if (asked.label && labels === null) {
    return errorReply(`--on ${asked.label} asks for a worker, but this nightshift builds on its own machine (BUILD_ON=local). Set BUILD_ON=workers to hand builds to workers, or leave --on out. Nothing was queued.`);
  }
  let words = text;
  if (asked.label) {
    words = asked.text;
    const again = read(words);
    if (again.kind === 'tasks') drafts = again.drafts;
  }
  // With PROJECTS_FILE, a request builds in the project it names, its channel's, or the default.
  const catalog = engine.projects;
  if (catalog?.file) {
    const routing = routeRequest(catalog, words, actor.channel);
    if (routing.kind !== 'project') {
      const viaCli = actor.adapter === 'cli';
      if (routing.kind === 'ambiguous' && !viaCli) awaitProjectAnswer(actor, routing.text, routing.candidates, now.getTime());
      const question = projectQuestion(catalog, routing, viaCli);
      return routing.kind === 'ambiguous' ? { kind: 'hint', ok: true, text: question, tasks: [] } : errorReply(question);
    }
    // Read again without "--project x" or "in x", so the title does not carry it.
    const again = routing.text === words ? null : read(routing.text);
    const routed = again?.kind === 'tasks' ? again.drafts : drafts;
    drafts = routed.map((d) => ({ ...d, project: routing.name }));
  }
  if (asked.label) drafts = drafts.map((d) => ({ ...d, runsOn: asked.label as string }));
  if (drafts.length > MAX_PER_MESSAGE) return errorReply(tooManyText(drafts.length));
  if (drafts.length > ASK_ABOVE && !opts.confirmed) {
    return { kind: 'hint', ok: true, text: askToConfirm(actor, drafts, now.getTime(), actor.adapter === 'cli'), tasks: [] };
  }
  return createTasks(ctx, drafts, now);
}

/** Queues drafts already understood (and confirmed, for a long list), and says what happens to each. */
export async function createTasks(ctx: CommandContext, drafts: TaskDraft[], now: Date): Promise<Reply> {
  const { engine, actor } = ctx;
  const tasks = await engine.submit(drafts, {
    adapter: actor.adapter,
    userId: actor.id,
    userName: displayName(actor),
    ...(actor.channel ? { channel: actor.channel } : {}),
    ...(actor.thread ? { thread: actor.thread } : {}),
  });
  // Only the new tasks are described: each as it stands after the schedule pass that followed it.
  const current = tasks.map((t) => engine.liveTask(t.id) ?? t);
  const decision = engine.latestSchedule();
  const lines = current.slice(0, DESCRIBED).map((t) => describeCreated(ctx, t, decision, now));
  const rest = current.slice(DESCRIBED);
  if (rest.length > 0) lines.push(`… and ${rest.length} more, ${rest[0]?.id} to ${rest.at(-1)?.id} ("queue" lists them all)`);
  const head = current.length === 1 ? 'Got it:' : `Got it: ${current.length} tasks.`;
  return { kind: 'created', ok: true, text: [head, ...lines].join('\n'), tasks: current, json: current };
}

function describeCreated(ctx: CommandContext, t: Task, decision: ScheduleDecision, now: Date): string {
  const tz = ctx.engine.policy.timeZone;
  const parts = [`${t.id} "${t.title}"${t.project ? ` in ${t.project}` : ''}${t.runsOn ? ` on a ${t.runsOn} worker` : ''}`, `${t.priority} priority: ${t.priorityReason}`];
  const due = deadlineText(t, now, tz);
  if (due) parts.push(due);
  parts.push(nextStep(ctx.engine, t, decision, now));
  const warning = deadlineWarning(ctx.engine, t, decision, now);
  if (warning) parts.push(`⚠ ${warning}`);
  return parts.join(' · ');
}
