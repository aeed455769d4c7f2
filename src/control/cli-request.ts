// The requests `nightshift <verb>` one-shots make. The same function serves them in-process
// (no daemon running: the CLI holds the lock) and inside the daemon (over the control socket),
// so both paths answer identically.
//
// Each verb loads its command when it is first used: a `status` done in-process (no daemon) does
// not load the intake (chrono-node) that `add` needs, nor date-fns-tz for `--markdown`.
import { z } from 'zod';
import type { Engine } from '../core/engine.ts';
import { asPersistError, persistMessage } from '../core/persist-error.ts';
import type { Actor } from '../commands/actor.ts';
import type { Reply } from '../commands/reply.ts';

export const CliRequest = z.discriminatedUnion('verb', [
  z.object({ verb: z.literal('add'), text: z.string(), yes: z.boolean().optional() }),
  z.object({
    verb: z.literal('status'),
    id: z.string().optional(),
    section: z.enum(['all', 'active', 'queue', 'completed']).optional(),
    limit: z.number().int().positive().optional(),
    markdown: z.boolean().optional(),
  }),
  /** `said`: the name the person used for the verb (`nightshift resume` is approve). */
  z.object({ verb: z.enum(['approve', 'reject', 'cancel', 'retry', 'accept', 'bump']), args: z.string(), said: z.string().optional() }),
  z.object({ verb: z.literal('clarify'), args: z.string() }),
  z.object({ verb: z.literal('summary') }),
  z.object({ verb: z.literal('projects') }),
]);
export type CliRequest = z.infer<typeof CliRequest>;

/** Whoever runs the CLI on this machine owns the data directory: they are the owner. */
export const CLI_OWNER: Actor = { id: 'cli', name: 'cli', role: 'owner', adapter: 'cli' };

export async function runCliRequest(engine: Engine, req: CliRequest): Promise<Reply> {
  try {
    return await serve(engine, req);
  } catch (e) {
    const persist = asPersistError(e);
    if (!persist) throw e;
    return { kind: 'error', ok: false, text: persistMessage(persist, req.verb === 'add' ? 'nothing was queued' : 'nothing was changed'), tasks: [], ephemeral: true };
  }
}

async function serve(engine: Engine, req: CliRequest): Promise<Reply> {
  const ctx = { engine, actor: CLI_OWNER };
  switch (req.verb) {
    case 'add':
      return (await import('../commands/build.ts')).buildCommand(ctx, req.text, { asRequest: true, ...(req.yes ? { confirmed: true } : {}) });
    case 'status':
      if (req.markdown) return (await import('../commands/markdown.ts')).statusMarkdown(ctx);
      return (await import('../commands/status.ts')).statusReply(ctx, req.id, { ...(req.section ? { section: req.section } : {}), ...(req.limit ? { limit: req.limit } : {}) });
    case 'approve':
    case 'reject':
    case 'cancel':
    case 'retry':
    case 'accept':
    case 'bump':
      return (await import('../commands/decisions.ts')).decisionCommand(ctx, req.verb, req.args, req.said);
    case 'clarify':
      return (await import('../commands/decisions.ts')).clarifyCommand(ctx, req.args);
    case 'summary':
      return (await import('../commands/summary.ts')).summaryReply(ctx);
    case 'projects':
      return (await import('../commands/projects.ts')).projectsReply(ctx);
  }
}
