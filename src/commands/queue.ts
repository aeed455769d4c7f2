// queue: what waits, in the order it will start, and when.
import type { CommandContext } from './context.ts';
import type { Reply } from './reply.ts';
import { statusReply } from './status.ts';

export async function queueReply(ctx: CommandContext): Promise<Reply> {
  const r = await statusReply(ctx, undefined, { section: 'queue' });
  return { ...r, kind: 'queue' };
}
