// What a message said in a task's own thread means, on any chat platform. A verb without an id
// ("cancel", "retry", "accept", "approve", "status") acts on that task. While it waits for
// approval, anything else from the owner, an approver or whoever asked clarifies it (the safety
// checks run again). Other replies are conversation between people, not commands: they are left
// alone (null).
import { parseTaskId, type TaskId } from '../core/task.ts';
import { canDecide } from './actor.ts';
import type { CommandContext } from './context.ts';
import { handleText } from './dispatch.ts';
import type { Reply } from './reply.ts';

export async function threadReply(ctx: CommandContext, id: TaskId, text: string): Promise<Reply | null> {
  const m = /^(approve|reject|cancel|stop|retry|accept|status)\b\s*(.*)$/i.exec(text.trim());
  if (m) {
    const verb = (m[1] as string).toLowerCase();
    const rest = m[2] ?? '';
    if (verb === 'status') return handleText(ctx, `status ${id}`);
    if (!parseTaskId(rest.split(/\s+/)[0] ?? '')) return handleText(ctx, `${verb === 'stop' ? 'cancel' : verb} ${id} ${rest}`.trim());
    return handleText(ctx, text);
  }
  const task = await ctx.engine.get(id);
  const { actor } = ctx;
  const askedIt = task?.origin.adapter === actor.adapter && task.origin.userId === actor.id;
  if (text.trim() === '' || task?.status !== 'awaiting_approval' || !(canDecide(actor) || askedIt)) return null;
  return handleText(ctx, `clarify ${id} ${text}`);
}
