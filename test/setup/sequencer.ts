// The order test files start in: the long ones first, so the suite does not end waiting on one
// long file that started last (a fresh clone has no timings cached, and vitest would order files
// by size). Figures are wall seconds measured on a fresh clone (2 cores, 3 workers); files not
// listed follow, in vitest's own order. The two that need a tool `npm test` installs beside the
// suite (the real Claude Code, Chromium) come after the first few, when the install is done.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SLOW_FIRST = [
  'slack-e2e', // 58 s
  'discord-e2e', // 48 s
  'e2e-agents', // 46 s
  'e2e-agent-sessions', // 44 s
  'hostile-input', // 34 s
  'chaos', // 28 s
  'e2e-console', // 22 s
  'e2e-projects-slack', // 17 s (alone)
  'e2e-projects', // 12 s (alone)
  'real-claude-code', // 30 s, after its install
  'team-workers', // 60 s, after PostgreSQL's install (where npm test installs it)
  'store-postgres', // 6 s, after PostgreSQL's install (where npm test installs it)
  'store-conformance', // the PostgreSQL part likewise
  'engine', // 20 s
  'overnight-faults', // 19 s
  'presets', // 18 s
  'store-durability', // 13 s
  'e2e-discord-daemon', // 13 s
  'agent-builder', // 13 s
  'dashboard-browser', // 12 s, after Chromium's install
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
