// The end of a chaos run: every task brought to rest by a daemon left alone, and then everything
// nightshift has, read by the CLI itself with no daemon running.
import { runCli } from '../../test/helpers/cli.ts';
import type { FinalTask } from './ledger.ts';
import { pause } from './random.ts';

const SETTLED = new Set(['done', 'cancelled', 'rejected', 'escalated']);

/** Waits up to `settleMs` for every task to be done, cancelled, rejected or escalated; those that are not ("t-3 (queued)"). */
export async function waitUntilSettled(env: NodeJS.ProcessEnv, settleMs: number): Promise<string[]> {
  const until = Date.now() + settleMs;
  let live: FinalTask[] = [];
  do {
    const r = await runCli(['status', '--json'], env);
    live = r.code === 0 ? (JSON.parse(r.stdout) as FinalTask[]).filter((t) => !SETTLED.has(t.status)) : live;
    if (live.length === 0) break;
    await pause(200);
  } while (Date.now() < until);
  return live.map((t) => `${t.id} (${t.status})`);
}

/** Every task, live and finished. */
export async function finalTasks(env: NodeJS.ProcessEnv): Promise<FinalTask[]> {
  const all = new Map<string, FinalTask>();
  for (const args of [['status', '--json'], ['status', '--completed', '--limit', '100000', '--json']]) {
    const r = await runCli(args, env);
    if (r.code === 0) for (const t of JSON.parse(r.stdout) as FinalTask[]) all.set(t.id, t);
  }
  return [...all.values()];
}
