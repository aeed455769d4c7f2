// A team chaos run's story in time order, written beside its data for a look after a finding: each
// life of the daemon and the workers, each kill, and each agent run's events (on whose home).
import type { LedgerEvent } from './ledger.ts';
import type { Part } from './team-cast.ts';

export interface KillRecord {
  n: number;
  at: number;
  part: string;
  pid: number | undefined;
  signal: 'SIGKILL' | 'SIGTERM';
  moment: string;
  reached: boolean;
}

export function timeline(parts: Part[], kills: KillRecord[], ledger: LedgerEvent[]): string {
  const where = (ws: string | undefined) => parts.find((p) => p.ran(ws))?.name ?? '?';
  const lines: [number, string][] = [
    ...parts.flatMap((p) => p.lives.map((life, i): [number, string] => [life.startedAt, `${p.name} life ${i + 1} starts (pid ${life.pid})`])),
    ...kills.map((k): [number, string] => [k.at, `kill ${k.n}: ${k.part} (pid ${k.pid}) ${k.signal} at ${k.moment}${k.reached ? '' : ' (moment not reached)'}`]),
    ...ledger.map((e): [number, string] => [e.at, `  ${e.task} attempt ${e.attempt} ${e.ev} (agent pid ${e.pid}${e.other ? `, other ${e.other}` : ''}, on ${where(e.ws)})`]),
  ];
  return lines
    .sort((a, b) => a[0] - b[0])
    .map(([at, text]) => `${new Date(at).toISOString()} ${text}`)
    .join('\n');
}
