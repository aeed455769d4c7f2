// Ends every process a test left behind in a data directory: builders carry NIGHTSHIFT_WORKSPACE
// in their environment, and so do their children, even after the daemon that started them died.
import { readdirSync, readFileSync } from 'node:fs';

export function killStrays(home: string): number {
  let killed = 0;
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (env.some((v) => v.startsWith(`NIGHTSHIFT_WORKSPACE=${home}/`))) {
        process.kill(pid, 'SIGKILL');
        killed++;
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return killed;
}
