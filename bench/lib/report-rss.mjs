// `node --import report-rss.mjs …`: when the process exits, appends its peak resident memory (bytes)
// to $BENCH_RSS_FILE. The benches load it into every process they time, the baseline included.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS * 1024}\n`));
