// `npm run bench`: runs every bench in turn, or only those named on the command line
// (`npm run bench -- store-write`). A bench is a module exporting name, description and run().
import * as builderStorm from './builder-storm.ts';
import * as cliStart from './cli-start.ts';
import * as daemon from './daemon.ts';
import * as dashboard from './dashboard.ts';
import * as discordEdits from './discord-edits.ts';
import * as dispatch from './dispatch.ts';
import * as linePath from './line-path.ts';
import * as liveQueue from './live-queue.ts';
import * as sampling from './sampling.ts';
import * as spawnPath from './spawn-path.ts';
import * as storeLive from './store-live.ts';
import * as storeWrite from './store-write.ts';
import * as team from './team.ts';

interface Bench {
  name: string;
  description: string;
  run(): Promise<void>;
}

// The issue-10 figures first (start-up, dispatch, the daemon under a storm), then the parts; team
// mode (issue 15) last.
const benches: Bench[] = [cliStart, dispatch, daemon, dashboard, liveQueue, storeLive, storeWrite, spawnPath, builderStorm, sampling, linePath, discordEdits, team];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !benches.some((b) => b.name === w));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (known: ${benches.map((b) => b.name).join(', ')})`);
  process.exit(2);
}

for (const bench of benches) {
  if (wanted.length > 0 && !wanted.includes(bench.name)) continue;
  console.log(`\n== ${bench.name}: ${bench.description}`);
  const start = performance.now();
  await bench.run();
  console.log(`(${bench.name} took ${((performance.now() - start) / 1000).toFixed(1)} s)`);
}
