// `node --import loop-delay.mjs …`: measures the process's event-loop delay
// (perf_hooks.monitorEventLoopDelay). On SIGUSR2 it writes the delay since the previous SIGUSR2
// (p50, p99, max in ms) to $BENCH_LOOP_FILE and starts a new window. Benches load it into the daemon.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  process.on('SIGUSR2', () => {
    writeFileSync(file, JSON.stringify({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6, at: Date.now() }));
    h.reset();
  });
}
