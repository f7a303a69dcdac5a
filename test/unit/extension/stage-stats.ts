// A running stage's stats with every number at rest, for tests to set only what they look at.
import type { StageStats } from '../../../engine';

export function stats(index: number, extra: Partial<StageStats> = {}): StageStats {
  return {
    name: `s${index}`,
    index,
    status: 'running',
    bytesIn: 0,
    bytesOut: 0,
    procBytesRead: 0,
    procBytesWritten: 0,
    cpuUserMs: 0,
    cpuSysMs: 0,
    rssKb: 1000,
    maxRssKb: 2000,
    durationMs: 0,
    rateOut: 0,
    busy: 0,
    waitingRead: 0,
    waitingWrite: 0,
    working: 0,
    bottleneck: false,
    exact: false,
    ...extra,
  };
}
