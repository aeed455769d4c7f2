// What a chat adapter remembers across restarts (cards, open questions, seen deliveries), and that
// it stays bounded: the store rewrites this meta with every change.
import { describe, expect, it } from 'vitest';
import { ChatMemory, type MemoryHost } from '../src/adapters/shared/chat-memory.ts';
import { makeTask } from './helpers/task-factory.ts';

/** Meta kept in a map, as the store keeps it; `liveIds` says which tasks are still live. */
function host(liveIds: string[] = []) {
  const meta = new Map<string, unknown>();
  const h: MemoryHost & { liveIds: string[] } = {
    liveIds,
    getMeta: <V>(key: string) => structuredClone(meta.get(key)) as V | undefined,
    setMeta: async (key: string, value: unknown) => void meta.set(key, structuredClone(value)),
    liveTask: (id: string) => (h.liveIds.includes(id) ? makeTask({ id }) : null),
  };
  return h;
}

describe('chat memory', () => {
  it('remembers cards and threads across a restart, for Slack (thread ts) and Discord (thread channel)', async () => {
    const h = host(['t-1', 't-2']);
    const slack = new ChatMemory(h, 'slack');
    await slack.saveCard('t-1', { channel: 'C1', ts: '171.01' });
    const discord = new ChatMemory(h, 'discord');
    await discord.saveCard('t-2', { channel: '300', ts: '900', thread: '900', postedAt: 1 });
    const again = { slack: new ChatMemory(h, 'slack'), discord: new ChatMemory(h, 'discord') };
    expect(again.slack.taskOfThread('C1', '171.01')).toBe('t-1');
    expect(again.discord.taskOfThread('900')).toBe('t-2');
    expect(again.discord.taskOfThread('300')).toBeUndefined(); // the channel itself is not a task's thread
    expect(again.slack.card('t-2')).toBeUndefined(); // each platform has its own
  });

  it('a delivery counts once, even after a restart, and again only after a day', async () => {
    const h = host();
    const m = new ChatMemory(h, 'discord');
    expect(await m.firstDelivery('message:1', 1_000)).toBe(true);
    expect(await m.firstDelivery('message:1', 2_000)).toBe(false);
    expect(await new ChatMemory(h, 'discord').firstDelivery('message:1', 3_000)).toBe(false);
    expect(await m.firstDelivery('message:1', 1_000 + 24 * 3_600_000 + 1)).toBe(true);
  });

  it('keeps only the newest cards of finished tasks, never a live task\'s, and forgets their questions too', async () => {
    const h = host(['t-1']);
    const m = new ChatMemory(h, 'slack', 3);
    await m.saveCard('t-1', { channel: 'C', ts: '1' });
    await m.saveAsk('t-1', { channel: 'C', ts: '1.5', text: 'approve?' });
    for (let n = 2; n <= 8; n++) {
      h.liveIds = ['t-1', `t-${n}`];
      await m.saveCard(`t-${n}`, { channel: 'C', ts: String(n) });
    }
    const kept = new ChatMemory(h, 'slack', 3);
    expect(['t-1', 't-2', 't-3', 't-4', 't-5', 't-6', 't-7', 't-8'].filter((id) => kept.card(id))).toEqual(['t-1', 't-5', 't-6', 't-7', 't-8']);
    expect(kept.openAsks('t-1')).toHaveLength(1); // t-1 is still live: nothing of it is forgotten
    h.liveIds = ['t-9'];
    await kept.saveCard('t-9', { channel: 'C', ts: '9' });
    const later = new ChatMemory(h, 'slack', 3);
    expect(later.card('t-1')).toBeUndefined();
    expect(later.openAsks('t-1')).toEqual([]);
  });
});
