// `node --import report-rss.mjs …`: when the process exits, appends its peak resident memory (bytes)
// to $BENCH_RSS_FILE. The benches load it into every process they time, the baseline included.
// On Linux it is VmHWM from /proc/self/status: the peak of this program's own memory. (getrusage's
// ru_maxrss is no good here: Linux carries it over from the parent across fork and exec, so a child
// of a big bench process reports the bench's size.)
import { appendFileSync, readFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
function peakBytes() {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
if (file) process.on('exit', () => appendFileSync(file, `${peakBytes()}\n`));
