import type { StageRun } from './stage-run';
import { endedStatuses } from './status';

/**
 * Tells each waiting `write` whether it may replace its file: yes once every stage before it has
 * ended well (succeeded, or stopped early because a stage after it finished first), no as soon as
 * the run is `givenUp` (it failed, is cancelled, is ending or has ended). Its input has ended by
 * then, or it is still reading and reads the verdict later.
 */
export function settleCommits(procs: readonly StageRun[], givenUp: boolean): void {
  for (const st of procs) {
    const channel = st.commit;
    if (!channel) continue;
    const index = (st.parent ?? st).index;
    const before = procs.filter((p) => (p.parent ?? p).index < index);
    if (!givenUp && !before.every((p) => endedStatuses.has(p.status))) continue;
    st.commit = undefined;
    if (!givenUp && before.every((p) => p.status === 'succeeded' || p.status === 'stopped-early')) channel.end('commit\n');
    else channel.destroy();
  }
}
