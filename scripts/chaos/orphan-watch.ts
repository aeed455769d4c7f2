// Orphans: chaos agents alive that no attempt nightshift has as running accounts for, looked for
// ORPHAN_AFTER_MS after a restart (time for nightshift to end or take back what a kill left).
import { isLiveAttemptProcess } from '../../src/builders/keeper/keeper-process.ts';
import { runCli } from '../../test/helpers/cli.ts';
import { orphansAmong, runsOf, type FinalTask } from './ledger.ts';
import type { LedgerFile } from './ledger-file.ts';

/** How long after a restart an agent nightshift does not count as running is an orphan. */
export const ORPHAN_AFTER_MS = 10_000;

/** A run of the chaos agent that is still alive (not a pid reused since). */
export const isLiveRun = (r: { pid: number; task: string; attempt: number }) => isLiveAttemptProcess(r.pid, r.task, r.attempt, 'chaos-agent');

export class OrphanWatch {
  checks = 0;
  found = 0;
  readonly details: string[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly ledger: LedgerFile,
  ) {}

  /**
   * Agents alive now whose attempt nightshift (the daemon at `env`) does not have as running. Not
   * counted when `gone()` says the daemon died meanwhile (its answer may be of before the kill).
   */
  async check(gone: () => boolean): Promise<void> {
    const alive = runsOf(this.ledger.read()).filter((r) => isLiveRun(r));
    const r = await runCli(['status', '--active', '--json'], this.env);
    if (gone() || r.code !== 0) return;
    const building = (JSON.parse(r.stdout) as FinalTask[]).flatMap((t) => t.attempts.filter((a) => a.outcome === 'running').map((a) => ({ task: t.id, attempt: a.n })));
    // Alive still, after nightshift answered: an agent that ended meanwhile is no orphan.
    const found = orphansAmong(alive.filter((a) => isLiveRun(a)), building);
    if (gone()) return;
    this.checks++;
    this.found += found.length;
    for (const f of found) this.details.push(`orphan: ${f.task} attempt ${f.attempt} (pid ${f.pid}) alive ${ORPHAN_AFTER_MS / 1000} s after a restart, not running as far as nightshift knows`);
  }
}
