// Pins what pidusage v4 does with processes that are gone, which sampleProcessTree relies on, and
// what the shared /proc table (the sampler on Linux) gives.
import { spawn } from 'node:child_process';
import pidusage from 'pidusage';
import { describe, expect, it } from 'vitest';
import { descendantsOf } from '../src/builders/process-tree.ts';
import { readProcEntry, SharedProcTable } from '../src/builders/supervision/proc-table.ts';
import { procTreeSampler, sampleProcessTree } from '../src/builders/supervision/sample-process-tree.ts';
import { waitFor } from './helpers/agents.ts';

async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  if (child.pid === undefined) throw new Error('spawn failed');
  return child.pid;
}

describe.runIf(process.platform === 'linux')('pidusage and pids that are gone', () => {
  it('a batch resolves, with nothing for the dead pid; a single dead pid rejects', async () => {
    const dead = await exitedPid();
    const batch = await pidusage([process.pid, dead]);
    expect(batch[process.pid]?.ctime).toBeGreaterThan(0);
    expect(batch[dead] ?? null).toBeNull();
    await expect(pidusage(dead)).rejects.toThrow();
    await expect(pidusage([dead])).rejects.toThrow();
  });
});

describe.runIf(process.platform === 'linux')('sampleProcessTree', () => {
  it('measures the leader and its descendants, zombies included with their final CPU time', async () => {
    // sh starts a child that burns ~200 ms and exits, then execs sleep, which never reaps it.
    const burn = 'const t=process.cpuUsage();while((process.cpuUsage(t).user+process.cpuUsage(t).system)<200000);';
    const sh = spawn('sh', ['-c', `"${process.execPath}" -e '${burn}' & exec sleep 5`], { stdio: 'ignore' });
    const leader = sh.pid ?? 0;
    try {
      let zombie: { pid: number; cpuMs: number; rssBytes: number } | undefined;
      await waitFor(async () => {
        const [kid] = await descendantsOf(leader);
        // A child caught between fork and exec also reads as no memory and no CPU yet.
        zombie = (await sampleProcessTree(leader, [])).find((s) => s.pid === kid && s.rssBytes === 0 && s.cpuMs > 0);
        return zombie !== undefined;
      }, 10_000, 'the child to become a zombie');
      expect(zombie?.cpuMs).toBeGreaterThanOrEqual(190);
    } finally {
      sh.kill('SIGKILL');
    }
  });

  it('gives an empty list for a leader that is gone, and never throws', async () => {
    await expect(sampleProcessTree(await exitedPid(), [])).resolves.toEqual([]);
    await expect(sampleProcessTree(await exitedPid(), ['NIGHTSHIFT_NOBODY=has-this'])).resolves.toEqual([]);
  });
});

describe.runIf(process.platform === 'linux')('procTreeSampler: the /proc table every monitor shares', () => {
  it('measures the leader and its descendants, zombies included with their final CPU time, spawning nothing', async () => {
    const burn = 'const t=process.cpuUsage();while((process.cpuUsage(t).user+process.cpuUsage(t).system)<200000);';
    const sh = spawn('sh', ['-c', `"${process.execPath}" -e '${burn}' & exec sleep 5`], { stdio: 'ignore' });
    const leader = sh.pid ?? 0;
    const sample = procTreeSampler(new SharedProcTable());
    try {
      // A child caught between fork and exec also reads as no memory and no CPU yet: wait for the
      // zombie the burner becomes, which must carry the CPU time it used.
      let zombie: { pid: number; cpuMs: number; rssBytes: number } | undefined;
      await waitFor(async () => {
        const all = await sample(leader, []);
        zombie = all.find((s) => s.pid !== leader && s.rssBytes === 0 && s.cpuMs > 0);
        return zombie !== undefined && all.some((s) => s.pid === leader && s.rssBytes > 0);
      }, 10_000, 'the child to become a zombie');
      expect(zombie?.cpuMs).toBeGreaterThanOrEqual(190);
    } finally {
      sh.kill('SIGKILL');
    }
  });

  it('gives an empty list for a leader that is gone', async () => {
    const sample = procTreeSampler(new SharedProcTable());
    await expect(sample(await exitedPid(), [])).resolves.toEqual([]);
    await expect(sample(await exitedPid(), ['NIGHTSHIFT_NOBODY=has-this'])).resolves.toEqual([]);
  });

  it('one scan serves every monitor that asks within the age it accepts; a fresh ask scans again', async () => {
    const table = new SharedProcTable();
    const samplers = Array.from({ length: 20 }, () => procTreeSampler(table));
    await Promise.all(samplers.map((s) => s(process.pid, [], { maxAgeMs: 60_000 })));
    expect(table.scans).toBe(1);
    await Promise.all(samplers.map((s) => s(process.pid, [], { maxAgeMs: 60_000 })));
    expect(table.scans).toBe(1);
    await samplers[0]?.(process.pid, []);
    expect(table.scans).toBe(2);
    expect(readProcEntry(process.pid)?.ppid).toBe(process.ppid);
  });

  it('finds a process that left the tree by its markers, reading each environment once', async () => {
    const mark = `t-${process.pid}-${Date.now()}`;
    const table = new SharedProcTable();
    const sample = procTreeSampler(table);
    const leader = spawn('sleep', ['5'], { stdio: 'ignore' });
    const escaped = spawn('sleep', ['5'], { stdio: 'ignore', detached: true, env: { NIGHTSHIFT_TASK_ID: mark, NIGHTSHIFT_ATTEMPT: '1' } });
    try {
      const markers = [`NIGHTSHIFT_TASK_ID=${mark}`, 'NIGHTSHIFT_ATTEMPT=1'];
      await waitFor(async () => (await sample(leader.pid ?? 0, markers)).some((s) => s.pid === escaped.pid), 3_000, 'the marked process');
      const entry = readProcEntry(escaped.pid ?? 0);
      if (!entry) throw new Error('the marked process is gone');
      const reads = table.environReads;
      expect(table.carries(entry, markers)).toBe(true);
      expect(table.carries(entry, [`NIGHTSHIFT_TASK_ID=${mark}`, 'NIGHTSHIFT_ATTEMPT=2'])).toBe(false);
      expect(table.environReads).toBe(reads); // known names: no new read
      expect(table.carries(entry, ['HOME=/nowhere'])).toBe(false);
      expect(table.environReads).toBe(reads + 1);
      expect((await sample(leader.pid ?? 0, [])).some((s) => s.pid === escaped.pid)).toBe(false); // no markers, no extras
    } finally {
      leader.kill('SIGKILL');
      escaped.kill('SIGKILL');
    }
  });
});
