// The order test files start in: the long ones first, so the suite does not end waiting on one
// long file that started last (a fresh clone has no timings cached, and vitest would order files
// by size). Figures are wall seconds measured in a whole run (2 cores, 3 workers, the static checks
// beside it); files not listed follow, in vitest's own order. Those that need a tool `npm test`
// installs beside the suite (the real Claude Code, PostgreSQL, Chromium) come after the first few,
// when the install is done.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW_FIRST = [
  'slack-e2e', // 70 s
  'discord-e2e', // 44 s
  'e2e-agents', // 39 s
  'hostile-input', // 29 s
  'chaos', // 28 s
  'e2e-agent-sessions', // 24 s
  'e2e-console', // 22 s
  'e2e-projects-slack', // 18 s
  'e2e-projects', // 21 s
  'real-claude-code', // 30 s, after its install
  'team-workers', // 31 s, after PostgreSQL's install (where npm test installs it)
  'team-recovery', // 40 s, likewise
  'team-runs', // 1 s, likewise (it needs the server)
  'store-postgres', // 8 s, likewise
  'store-conformance', // the PostgreSQL part likewise
  'engine', // 19 s
  'agent-builder', // 17 s
  'e2e-discord-daemon', // 15 s
  'presets', // 15 s
  'overnight-faults', // 14 s
  'e2e-checks', // 12 s
  'dashboard-browser', // 11 s, after Chromium's install
];

const rank = (spec: TestSpecification): number => {
  const name = /([^/]+)\.test\.ts$/.exec(spec.moduleId)?.[1] ?? '';
  const i = SLOW_FIRST.indexOf(name);
  return i < 0 ? SLOW_FIRST.length : i;
};

export default class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const theirs = await super.sort(files);
    return theirs.map((spec, i) => ({ spec, i })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map((x) => x.spec);
  }
}
