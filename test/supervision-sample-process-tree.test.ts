// Pins what pidusage v4 does with processes that are gone, which sampleProcessTree relies on.
import { spawn } from 'node:child_process';
import pidusage from 'pidusage';
import { describe, expect, it } from 'vitest';
import { descendantsOf } from '../src/builders/process-tree.ts';
import { sampleProcessTree } from '../src/builders/supervision/sample-process-tree.ts';
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
        zombie = (await sampleProcessTree(leader, [])).find((s) => s.pid === kid && s.rssBytes === 0);
        return zombie !== undefined;
      }, 3_000, 'the child to become a zombie');
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
