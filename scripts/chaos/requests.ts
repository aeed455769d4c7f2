// The work a chaos run sends nightshift, and what nightshift acknowledged of it: the tasks it gave
// an id, the approvals it answered, and the low-priority tasks still waiting for one. How long each
// agent run works, and whether its first attempt fails, is written into the request itself
// ("chaos-w800", "chaos-fail1"), which the chaos agent reads back from its spec.
import { runCli, type CliResult } from '../../test/helpers/cli.ts';
import type { Dice } from './random.ts';

/** The ids an `add --json` answered with; none when it failed (a kill came first). */
export function idsOf(r: CliResult): string[] {
  if (r.code !== 0) return [];
  try {
    return (JSON.parse(r.stdout) as { id: string }[]).map((t) => t.id);
  } catch {
    return [];
  }
}

export class Requests {
  /** Task ids nightshift acknowledged. */
  readonly acked = new Set<string>();
  /** Tasks whose approval nightshift acknowledged. */
  readonly approved = new Set<string>();
  /** Low-priority tasks acknowledged and not approved yet, oldest first. */
  readonly awaitingApproval: string[] = [];
  private made = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly dice: Dice,
    private readonly workMs: [number, number],
  ) {}

  /** A new request's text. */
  next(): string {
    this.made++;
    return `build chaos widget ${this.made} chaos-w${this.dice.between(this.workMs[0], this.workMs[1])}${this.dice.random() < 0.15 ? ' chaos-fail1' : ''}`;
  }

  /** A one-shot `add`; what it acknowledged is kept. */
  async add(priority: 'high' | 'low'): Promise<string[]> {
    const ids = idsOf(await runCli(['add', this.next(), '-p', priority, '--json'], this.env));
    for (const id of ids) this.acked.add(id);
    if (priority === 'low') this.awaitingApproval.push(...ids);
    return ids;
  }

  /** Approves every task still waiting, as far as nightshift answers. */
  async approveAll(): Promise<void> {
    for (const id of this.awaitingApproval.splice(0)) if ((await runCli(['approve', id], this.env)).code === 0) this.approved.add(id);
  }
}
