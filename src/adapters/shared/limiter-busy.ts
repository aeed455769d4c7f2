// Whether Bottleneck limiters still hold work (queued, waiting for their turn, or running): the
// outboxes' drain() waits until none does.
import type Bottleneck from 'bottleneck';

export function limitersBusy(limiters: Bottleneck[]): boolean {
  return limiters.some((l) => {
    const c = l.counts();
    return c.RECEIVED + c.QUEUED + c.RUNNING + c.EXECUTING > 0;
  });
}

/** Every limiter of a group, for limitersBusy. */
export const groupLimiters = (group: Bottleneck.Group): Bottleneck[] => group.keys().map((k) => group.key(k));
