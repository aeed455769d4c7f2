// The moments of a build's life a team chaos run kills a worker at, and which worker: the one whose
// agent just started (spawn), one with an agent at work (mid-build), the one whose agent has just
// finished (exit: its end not recorded yet, as like as not); or any worker, at any time (random).
import { runsOf } from './ledger.ts';
import type { LedgerFile } from './ledger-file.ts';
import { isLiveRun } from './orphan-watch.ts';
import { pause, type Dice } from './random.ts';
import type { Part } from './team-cast.ts';

export const WORKER_MOMENTS = ['spawn', 'mid-build', 'exit', 'random'] as const;
export type WorkerMoment = (typeof WORKER_MOMENTS)[number];

/**
 * The worker to kill at `moment`, among the live ones, once the moment comes; when it does not come
 * within MOMENT_WAIT_MS, a live worker anyway (reached: false). The caller kills it. There is a live
 * worker when this is called.
 */
export async function workerAtMoment(moment: WorkerMoment, workers: Part[], ledger: LedgerFile, dice: Dice, workMs: [number, number]): Promise<{ worker: Part; reached: boolean }> {
  const live = () => workers.filter((w) => w.up);
  const anyLive = () => dice.pick(live());
  const ranOnLive = (ws: string | undefined) => live().some((w) => w.ran(ws));
  switch (moment) {
    case 'random':
      await pause(dice.between(0, 3_000));
      return { worker: anyLive(), reached: true };
    case 'mid-build': {
      // Some way into a build: one of the workers whose agent is at work then (that one may have finished).
      await ledger.next('start', () => live().length === 0, (e) => ranOnLive(e.ws));
      await pause(dice.between(100, workMs[1] / 2));
      const atWork = runsOf(ledger.read()).filter((r) => isLiveRun(r));
      const busy = live().filter((w) => atWork.some((r) => w.ran(r.ws)));
      return busy.length ? { worker: dice.pick(busy), reached: true } : { worker: anyLive(), reached: false };
    }
    case 'spawn':
    case 'exit': {
      const event = await ledger.next(moment === 'exit' ? 'finished' : 'start', () => live().length === 0, (e) => ranOnLive(e.ws));
      const worker = event ? live().find((w) => w.ran(event.ws)) : undefined;
      return worker ? { worker, reached: true } : { worker: anyLive(), reached: false };
    }
  }
}
