// Task fixtures for tests: a schema-valid task with fixed, boring defaults; override what the test
// is about. Validated by `Task.parse`, so a fixture can never drift from the schema unnoticed.
import { Task } from '../../src/core/task.ts';

/** 2026-01-01T00:00:00.000Z: every default instant, so fixtures never read the real clock. */
export const FIXTURE_INSTANT = '2026-01-01T00:00:00.000Z';

export function makeTask(overrides: Partial<Task> = {}): Task {
  return Task.parse({
    id: 't-1',
    title: 'Build the thing',
    spec: 'build the thing',
    request: 'build the thing',
    origin: { adapter: 'console', userId: 'owner' },
    priority: 'medium',
    priorityReason: 'default priority',
    deadline: null,
    estimateMs: null,
    status: 'queued',
    createdAt: FIXTURE_INSTANT,
    updatedAt: FIXTURE_INSTANT,
    safety: { needsApproval: false, reasons: [], checkedAt: FIXTURE_INSTANT },
    ...overrides,
  });
}
