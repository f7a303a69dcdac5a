import { allPids, readStat } from './proc';

/** PIDs of the live processes whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allPids().filter((pid) => {
    const stat = readStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
  });
}

/** Sends `signal` to every live member of the group except `except` (so parents survive to reap). */
export function killGroupMembers(pgid: number, signal: NodeJS.Signals, except: ReadonlySet<number>): void {
  for (const pid of groupMembers(pgid)) {
    if (except.has(pid)) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}
