// FALLBACK_BUILDER: two builders, one task at a time on one of them. A task runs on BUILDER; when
// an attempt stops at the agent's usage limit, the next attempt runs on the fallback at once (the
// same worktree and branch, told how the attempt before went) instead of waiting for the reset. A
// limit the fallback hits is waited out, and the task goes back to BUILDER. Otherwise a task stays
// with the builder that ran its last attempt: that agent has its session.
import type { AdoptRequest, Builder, BuildHandle, BuildPlan, BuildRequest, BuildResult } from '../core/ports.ts';
import type { Attempt, Task } from '../core/task.ts';

export class FallbackBuilder implements Builder {
  readonly name: string;
  readonly isDemo: boolean;

  constructor(
    private readonly primary: Builder,
    private readonly fallback: Builder,
  ) {
    this.name = primary.name;
    this.isDemo = primary.isDemo;
  }

  /** Which builder runs the task's next attempt. */
  private next(task: Task): Builder {
    const last = task.attempts.at(-1); // plan() comes before the attempt it plans is recorded
    if (!last) return this.primary;
    const ranOn = this.byName(last.builder);
    if (last.outcome === 'usage_limited') return ranOn === this.fallback ? this.primary : this.fallback;
    return ranOn;
  }

  private byName(name: string): Builder {
    return name === this.fallback.name ? this.fallback : this.primary;
  }

  plan(task: Task, attempt: number): BuildPlan {
    const b = this.next(task);
    return { ...b.plan(task, attempt), builder: { name: b.name, isDemo: b.isDemo } };
  }

  start(req: BuildRequest): BuildHandle {
    return this.byName(req.plan.builder?.name ?? this.primary.name).start(req);
  }

  async reap(task: Task, attempt: Attempt): Promise<boolean> {
    return (await this.byName(attempt.builder).reap?.(task, attempt)) ?? false;
  }

  async finishedEnd(task: Task, attempt: Attempt): Promise<BuildResult | null> {
    return (await this.byName(attempt.builder).finishedEnd?.(task, attempt)) ?? null;
  }

  stillRunning(task: Task, attempt: Attempt): boolean {
    return this.byName(attempt.builder).stillRunning?.(task, attempt) ?? false;
  }

  adopt(req: AdoptRequest): BuildHandle | null | Promise<BuildHandle | null> {
    return this.byName(req.attempt.builder).adopt?.(req) ?? null;
  }

  async sessionOf(task: Task, attempt: Attempt): Promise<string | undefined> {
    return this.byName(attempt.builder).sessionOf?.(task, attempt);
  }

  async tidy(tasks: Task[]): Promise<void> {
    await this.primary.tidy?.(tasks); // one workspace provider serves both
  }
}
