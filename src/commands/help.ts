// help: the verbs, with an example each.
import type { Reply } from './reply.ts';

export const HELP_TEXT = [
  'Ask for work in plain words, and nightshift queues it, builds it and reports back.',
  '  build a hello-world CLI by tonight      queue a task (deadline within 24 h: starts now)',
  '  build X, Y and Z tomorrow               one task each; medium tasks run in quiet hours',
  '  build X --priority low --eta 4h         explicit priority and estimate',
  '  build X in api-server | --project web   the project to build in (PROJECTS_FILE)',
  '  status [t-7]                            what is building, the queue, recent results; or one task',
  '  queue                                   what waits, in order, and when it starts',
  '  approve t-7 | reject t-7 [why]          decide on a task that waits for approval',
  '  clarify t-7 <more detail>               add to the spec; the safety checks run again',
  '  cancel t-7 | retry t-7                  stop a task (and its build) / try an escalated one again',
  '  accept t-7                              take the built work of a task escalated with failing checks, as it is',
  '  bump t-7 [high|medium|low]              change priority (high starts now)',
  '  summary                                 the morning summary, now',
  '  projects                                the repositories nightshift builds in',
  '  help                                    this list',
].join('\n');

export const helpReply = (): Reply => ({ kind: 'help', ok: true, text: HELP_TEXT, tasks: [], ephemeral: true });

export const hintReply = (hint: string): Reply => ({ kind: 'hint', ok: true, text: hint, tasks: [], ephemeral: true });
