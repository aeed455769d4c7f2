// A worker's note, in its own NIGHTSHIFT_HOME, of each attempt it took: the job (the task as
// dispatched) and its worker id, written when it claims the run and removed once the end is in
// the database. A worker that dies leaves its notes behind; the next worker started in that home
// reads them to settle those runs (see Worker.settleLeftRuns): an attempt whose agent finished just
// as its worker died has its end recorded instead of being built again.
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunJob } from './runs.ts';

export interface RunNote {
  job: RunJob;
  workerId: string;
}

const dirOf = (home: string) => join(home, 'runs');
const fileOf = (home: string, taskId: string, attempt: number) => join(dirOf(home), `${taskId}-${attempt}.json`);

export async function noteRun(home: string, note: RunNote, taskId: string): Promise<void> {
  await mkdir(dirOf(home), { recursive: true, mode: 0o700 });
  await writeFile(fileOf(home, taskId, note.job.attempt), JSON.stringify(note), { mode: 0o600 });
}

export async function forgetRun(home: string, taskId: string, attempt: number): Promise<void> {
  await rm(fileOf(home, taskId, attempt), { force: true });
}

/** The notes left in `home`, each with the task id it was filed under; unreadable ones are skipped (and said). */
export async function notedRuns(home: string, warn: (what: string) => void): Promise<(RunNote & { taskId: string })[]> {
  const names = await readdir(dirOf(home)).catch(() => [] as string[]);
  const notes: (RunNote & { taskId: string })[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const m = /^(.+)-(\d+)\.json$/.exec(name);
    try {
      const note = JSON.parse(await readFile(join(dirOf(home), name), 'utf8')) as RunNote;
      if (!m || typeof note.workerId !== 'string' || note.job?.attempt !== Number(m[2])) throw new Error('not a run note');
      notes.push({ ...note, taskId: m[1] as string });
    } catch (e) {
      warn(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      await rm(join(dirOf(home), name), { force: true });
    }
  }
  return notes;
}
