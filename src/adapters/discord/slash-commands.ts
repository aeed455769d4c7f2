// The slash commands nightshift registers, and how an invocation becomes the words the shared
// command dispatcher understands ("/reject task:t-7 reason:too risky" → "reject t-7 too risky").
// Sibling commands rather than subcommands: Discord cannot have `/build <request>` and
// `/build status` at once, and "/approve" is what people reach for. Pure, so it is tested alone.
import { ApplicationCommandOptionType as Opt, type RESTPutAPIApplicationCommandsJSONBody } from 'discord.js';
import { parseTaskId, TERMINAL_STATUSES, type Task, type TaskStatus } from '../../core/task.ts';
import { canAccept } from '../../core/transitions.ts';
import { LIMIT, plain } from './text.ts';

const task = (required: boolean, description = 'The task (type to search by id or title)') => ({ type: Opt.String, name: 'task', description, required, autocomplete: true });

/** Which tasks each command's `task` option offers while the person types. */
const OFFERS: Record<string, (s: TaskStatus, t: Task) => boolean> = {
  approve: (s) => s === 'awaiting_approval',
  reject: (s) => s === 'awaiting_approval',
  cancel: (s) => !TERMINAL_STATUSES.includes(s),
  retry: (s) => s === 'failed' || s === 'escalated',
  // Not every escalated task: only one whose built work fails the checks can be accepted.
  accept: (_, t) => canAccept(t),
  clarify: (s) => s === 'awaiting_approval' || s === 'queued' || s === 'failed' || s === 'escalated',
  bump: (s) => !TERMINAL_STATUSES.includes(s),
  status: () => true,
};

/**
 * Where the commands are registered: `guild` (DISCORD_GUILD_ID: that server only, visible at once),
 * `global` (every server and DMs with the bot), or `dm` (a global set for DMs only, registered next
 * to a guild set so /build also works in a DM without showing twice in the server).
 */
export function commandDefinitions(scope: 'guild' | 'global' | 'dm'): RESTPutAPIApplicationCommandsJSONBody {
  const where = scope === 'global' ? { contexts: [0, 1], integration_types: [0] } : scope === 'dm' ? { contexts: [1], integration_types: [0] } : {};
  return [
    {
      name: 'build',
      description: 'Queue a build: what to build, and by when ("a hello-world CLI by tonight")',
      options: [{ type: Opt.String, name: 'request', description: 'What to build, and by when', required: true, max_length: 1500 }],
    },
    { name: 'status', description: 'What nightshift is doing, or one task in detail', options: [task(false)] },
    { name: 'queue', description: 'What is waiting, in the order it will run' },
    { name: 'approve', description: 'Let a task that waits for approval run', options: [task(true)] },
    { name: 'reject', description: 'Refuse a task that waits for approval', options: [task(true), { type: Opt.String, name: 'reason', description: 'Why (shown in the thread)', required: false, max_length: 500 }] },
    { name: 'cancel', description: 'Stop a task (ends its build if one is running)', options: [task(true)] },
    { name: 'retry', description: 'Try a failed or escalated task again, with a fresh budget', options: [task(true)] },
    { name: 'accept', description: 'Take an escalated task\'s built work as it is, with its checks failing', options: [task(true)] },
    { name: 'clarify', description: 'Add detail to a task; the safety checks run again', options: [task(true), { type: Opt.String, name: 'text', description: 'What to add', required: true, max_length: 1500 }] },
    {
      name: 'bump',
      description: 'Change a task\'s priority',
      options: [task(true), { type: Opt.String, name: 'priority', description: 'The new priority', required: false, choices: ['high', 'medium', 'low'].map((p) => ({ name: p, value: p })) }],
    },
    { name: 'summary', description: 'What got built overnight, now' },
  ].map((c) => ({ ...c, ...where, type: 1 })) as RESTPutAPIApplicationCommandsJSONBody;
}

export const COMMAND_NAMES = ['build', 'status', 'queue', 'approve', 'reject', 'cancel', 'retry', 'accept', 'clarify', 'bump', 'summary'] as const;

/**
 * A command invocation as the words the dispatcher takes (`asRequest` for /build), or why not.
 * Autocomplete only suggests: a person can still type "the docs" where a task belongs, and that
 * must not become a build request ("Bump the docs high") or a puzzling hint.
 */
export function commandText(name: string, options: Record<string, string | undefined>): { text: string; asRequest: boolean } | { problem: string } {
  const o = (k: string) => (options[k] ?? '').trim();
  const id = o('task');
  if (id !== '' && !parseTaskId(id)) return { problem: `"${plain(id, 60)}" is not a task id. Pick one from the list as you type, or write it like t-7; /queue shows them.` };
  const say = (text: string) => ({ text: text.trim(), asRequest: false });
  switch (name) {
    case 'build':
      return { text: o('request'), asRequest: true };
    case 'status':
      return say(`status ${id}`);
    case 'queue':
    case 'summary':
      return say(name);
    case 'approve':
    case 'cancel':
    case 'retry':
    case 'accept':
      return say(`${name} ${id}`);
    case 'reject':
      return say(`reject ${id} ${o('reason')}`);
    case 'clarify':
      return say(`clarify ${id} ${o('text')}`);
    case 'bump':
      return say(`bump ${id} ${o('priority')}`);
    default:
      return { problem: `I do not know /${plain(name, 40)}.` };
  }
}

/** Up to 25 tasks fitting the command and what has been typed, newest first. */
export function taskChoices(command: string, typed: string, tasks: Task[]): { name: string; value: string }[] {
  const offers = OFFERS[command] ?? (() => true);
  const q = typed.trim().toLowerCase();
  return tasks
    .filter((t) => offers(t.status, t) && (q === '' || t.id.includes(q) || t.title.toLowerCase().includes(q)))
    .sort((a, b) => Number(b.id.slice(2)) - Number(a.id.slice(2)))
    .slice(0, 25)
    .map((t) => ({ name: plain(`${t.id} · ${t.title} (${t.status.replace('_', ' ')})`, LIMIT.choice), value: t.id }));
}
