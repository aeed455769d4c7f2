// The moments of a task's life a chaos run kills the daemon at, and how each is waited for. Some
// kill the daemon themselves, with a request in flight (an add, an approval, a summary).
import { runCli } from '../../test/helpers/cli.ts';
import type { LedgerFile } from './ledger-file.ts';
import { MOMENT_WAIT_MS } from './ledger-file.ts';
import type { NightshiftProcess } from './processes.ts';
import { pause, type Dice } from './random.ts';
import { idsOf, type Requests } from './requests.ts';

export const KILL_MOMENTS = ['intake', 'approval', 'spawn', 'mid-build', 'exit', 'summary', 'random'] as const;
export type KillMoment = (typeof KILL_MOMENTS)[number];

export interface MomentContext {
  daemon: NightshiftProcess;
  /** Ends the daemon as this kill does (SIGKILL; SIGTERM too in the team form). */
  kill(): Promise<unknown>;
  env: NodeJS.ProcessEnv;
  requests: Requests;
  ledger: LedgerFile;
  dice: Dice;
  /** How long each agent run works, a range in ms. */
  workMs: [number, number];
}

/** Waits for `moment` (or brings it about); false when it did not come within MOMENT_WAIT_MS. The caller kills after. */
export async function reachMoment(moment: KillMoment, c: MomentContext): Promise<boolean> {
  const { daemon: d, requests, dice } = c;
  switch (moment) {
    case 'intake': {
      if (dice.random() < 0.5) {
        // Through the console: killed the moment nightshift says it has the task.
        const from = d.stdout.length;
        d.type(`urgent: ${requests.next()}`);
        const m = await d.waitForOutput(/(t-\d+) "[^"\n]*" · \w+ priority/, from, MOMENT_WAIT_MS);
        if (m) requests.acked.add(m[1]!);
        return m !== null;
      }
      // A one-shot `add` in flight through the daemon's socket.
      const pending = runCli(['add', requests.next(), '-p', 'high', '--json'], c.env);
      await pause(dice.between(0, 120));
      await c.kill();
      for (const id of idsOf(await pending)) requests.acked.add(id);
      return true;
    }
    case 'approval': {
      if (requests.awaitingApproval.length === 0) await requests.add('low');
      const id = requests.awaitingApproval.shift();
      if (!id) return false;
      const pending = runCli(['approve', id], c.env);
      await pause(dice.between(0, 150));
      await c.kill();
      if ((await pending).code === 0) requests.approved.add(id);
      else requests.awaitingApproval.push(id);
      return true;
    }
    case 'spawn':
      return (await c.ledger.next('start', () => d.dead)) !== null;
    case 'mid-build': {
      const reached = (await c.ledger.next('start', () => d.dead)) !== null;
      await pause(dice.between(100, c.workMs[1]));
      return reached;
    }
    case 'exit':
      return (await c.ledger.next('finished', () => d.dead)) !== null;
    case 'summary': {
      const pending = runCli(['summary'], c.env);
      await pause(dice.between(0, 100));
      await c.kill();
      await pending;
      return true;
    }
    case 'random':
      await pause(dice.between(0, 3_000));
      return true;
  }
}
