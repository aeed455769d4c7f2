// Tests that drive the `nightshift` binary run the built output in dist/. It is rebuilt at the start
// of every test run (esbuild, a fraction of a second), so a test never drives a stale build.
import { buildNightshift } from '../../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await buildNightshift({ quiet: true });
}
