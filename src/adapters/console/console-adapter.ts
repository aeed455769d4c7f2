// The console adapter: with no chat tokens, the owner types requests and commands at a prompt
// and sees every status change live. On a terminal each running build has one live line, redrawn
// in place (terminal-screen.ts); piped output gets plain progress lines, throttled so a chatty
// builder does not flood it.
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Engine } from '../../core/engine.ts';
import type { Announcer, CoreEvent } from '../../core/ports.ts';
import type { Actor } from '../../commands/actor.ts';
import { handleText } from '../../commands/dispatch.ts';
import { MessageAssembler } from './message-assembler.ts';
import { liveLine, planLine, renderEvent } from './render-event.ts';
import { withoutUnsafeChars as terminalSafe } from '../../core/safe-text.ts';
import type { TerminalScreen } from './terminal-screen.ts';

/** Asks the terminal to mark pastes (bracketed paste mode), and to stop when we are done. */
const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';
const PROMPT = 'nightshift> ';
const CONTINUE_PROMPT = '... ';

export interface ConsoleAdapterOptions {
  engine: Engine;
  out: Writable;
  /** Where the owner types; omit for a non-interactive run (`nightshift run --until-idle`). */
  input?: Readable;
  /** Minimum time between two progress lines of one task, unless the percentage moved. */
  progressEveryMs?: number;
  prompt?: string;
}

/** Events that only repeat what the reply to the owner's own command said. */
const ECHOED = new Set(['approved', 'rejected', 'cancelled', 'retried', 'clarified', 'priority_changed', 'queued', 'approval_requested', 'created']);

function echoesReply(e: CoreEvent): boolean {
  if (e.type === 'task_created') return true;
  if (e.type === 'owner_attention') return e.reason === 'approval';
  return e.type === 'task_changed' && ECHOED.has(e.event.type);
}

export const CONSOLE_OWNER: Actor = { id: 'console', name: 'you', role: 'owner', adapter: 'console' };

export class ConsoleAdapter implements Announcer {
  private rl: Interface | null = null;
  /** On a terminal: printed lines, a live line per build, then the prompt. */
  private screen: TerminalScreen | null = null;
  private readonly lastProgress = new Map<string, { at: number; percent: number | null }>();
  private pending: Promise<unknown> = Promise.resolve();
  /** Events announced while a typed command is being answered: printed after its reply, unless the reply said it. */
  private held: CoreEvent[] | null = null;
  /** Each build's plan as last printed, so a plan is printed when it changes. */
  private readonly lastPlan = new Map<string, string>();
  /** Lines → messages: a paste, or a line ending in ":" and what follows it, is one message. */
  private readonly assembler = new MessageAssembler((message) => {
    // Messages are handled in order; a slow command never reorders the replies.
    this.pending = this.pending.then(() => this.handle(message));
  });

  constructor(private readonly opts: ConsoleAdapterOptions) {}

  /** Resolves once the prompt is up (on a terminal, the live-line screen too: it loads log-update only then). */
  async start(): Promise<void> {
    this.opts.engine.subscribe(this);
    const input = this.opts.input;
    if (!input) return;
    const tty = Boolean((input as { isTTY?: boolean }).isTTY);
    const Screen = tty ? (await import('./terminal-screen.ts')).TerminalScreen : null;
    this.rl = createInterface({ input, output: this.opts.out, terminal: tty });
    this.rl.setPrompt(this.opts.prompt ?? PROMPT);
    if (this.rl.terminal) {
      // On a terminal, readline swallows Ctrl-C and Ctrl-D: pass them on as the signals they mean,
      // so the daemon stops gracefully (and a second Ctrl-C stops it at once).
      this.rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
      this.rl.on('close', () => {
        if (!this.rl) return; // stop() closed it
        // Ctrl-D: a message being collected is sent, and answered, before nightshift stops.
        this.assembler.end();
        void this.pending.finally(() => process.kill(process.pid, 'SIGTERM'));
      });
      this.opts.out.write(BRACKETED_PASTE_ON);
      if (Screen) this.screen = new Screen(this.opts.out, () => this.prompt());
      input.on('keypress', (_s: unknown, key: { name?: string } | undefined) => {
        if (key?.name === 'paste-start') this.assembler.pasteStart();
        if (key?.name === 'paste-end') {
          this.assembler.pasteEnd(this.rl?.line ?? '');
          this.prompt();
        }
      });
    } else {
      this.rl.on('close', () => this.assembler.end());
    }
    this.print('Type a request ("build a hello-world CLI by tonight") or "help". A paste, or a line ending in ":" and the lines after it up to an empty line, is one message.');
    this.prompt();
    this.rl.on('line', (line) => {
      // What was typed stays on screen above the live lines, as it would without them.
      this.screen?.entered(`${this.assembler.continuing ? CONTINUE_PROMPT : (this.opts.prompt ?? PROMPT)}${line}`);
      this.assembler.line(line);
      this.prompt();
    });
  }

  stop(): void {
    const rl = this.rl;
    this.rl = null; // first, so the close below is not taken for the owner's Ctrl-D
    this.screen?.close();
    this.screen = null;
    if (rl?.terminal) this.opts.out.write(BRACKETED_PASTE_OFF);
    rl?.close();
  }

  /** Resolves when every typed line so far has been answered. */
  idle(): Promise<unknown> {
    return this.pending;
  }

  private async handle(text: string): Promise<void> {
    this.held = [];
    let answer: string;
    let concerned = new Set<string>();
    try {
      const reply = await handleText({ engine: this.opts.engine, actor: CONSOLE_OWNER }, text);
      answer = reply.text;
      // The tasks the reply describes line by line (a long list sums up the rest): only their news was said.
      concerned = new Set([...answer.matchAll(/^(t-\d+) /gm)].map((m) => m[1] as string));
    } catch (e) {
      answer = `Something went wrong handling that: ${e instanceof Error ? e.message : String(e)}. Nothing was lost; try again.`;
    }
    // The reply first, then what happened meanwhile ("t-1 started"), so it reads in order; what
    // the reply already said ("rejected", the reasons it waits for approval) is not said again.
    const held = this.held.filter((e) => !('task' in e && concerned.has(e.task.id) && echoesReply(e)));
    this.held = null;
    this.print([answer, ...held.map((e) => this.render(e)).filter((l): l is string => l !== null)].join('\n'));
  }

  /** The prompt is drawn only on a terminal; piped input gets clean output. "... " while a message goes on. */
  private prompt(): void {
    if (!this.rl?.terminal) return;
    this.rl.setPrompt(this.assembler.continuing ? CONTINUE_PROMPT : (this.opts.prompt ?? PROMPT));
    this.rl.prompt(true);
  }

  announce(event: CoreEvent): void {
    // The agent's plan, printed when it changes (not with every progress line).
    if (event.type === 'progress' && event.progress.plan?.length && !this.held) {
      const key = JSON.stringify(event.progress.plan);
      if (this.lastPlan.get(event.task.id) !== key) {
        this.lastPlan.set(event.task.id, key);
        this.print(planLine(event.task, event.progress.plan));
      }
    }
    if (event.type === 'task_changed' && event.task.status !== 'building') this.lastPlan.delete(event.task.id);
    const screen = this.screen;
    if (screen && (event.type === 'progress' || event.type === 'task_changed')) {
      // One live line per running build, redrawn in place; it goes when the build does.
      const { engine } = this.opts;
      if (event.task.status === 'building') screen.set(event.task.id, liveLine(event.task, event.type === 'progress' ? event.progress : engine.progressOf(event.task.id), engine.now()));
      else screen.remove(event.task.id);
      if (event.type === 'progress') return;
    }
    if (event.type === 'progress' && !this.shouldShowProgress(event.task.id, event.progress.percent)) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    const line = this.render(event);
    if (line) this.print(line);
  }

  private render(event: CoreEvent): string | null {
    const { engine } = this.opts;
    return renderEvent(event, { timeZone: engine.policy.timeZone, maxAttempts: engine.policy.maxAttempts, now: engine.now(), links: engine.links });
  }

  private shouldShowProgress(id: string, percent: number | null): boolean {
    const now = Date.now();
    const prev = this.lastProgress.get(id);
    const every = this.opts.progressEveryMs ?? 1_000;
    if (prev && prev.percent === percent && now - prev.at < every) return false;
    if (prev && percent !== null && prev.percent !== null && percent - prev.percent < 5 && now - prev.at < every) return false;
    this.lastProgress.set(id, { at: now, percent });
    return true;
  }

  private print(text: string): void {
    // Keeps what the owner is typing: the screen prints above the live lines and redraws the prompt.
    if (this.screen) this.screen.print(text);
    else this.opts.out.write(`${terminalSafe(text)}\n`);
  }
}
