// What runs during a straight local segment: its leader (dist/pw-segment), the stages themselves
// and one counter per counted edge (forked from pw-segment). No shell, no perl, no wrapper.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startRun } from '../../../engine';
import { readStat } from '../../../engine/proc';
import { groupMembers } from '../../../engine/reap';
import { drain, fixtures, pipelineOf } from './helpers';

const yaml = `stages:
  - command: [sleep, "300"]
  - command: [cat]
  - command: [cat]
`;

describe('processes of a segment', () => {
  it.each([
    [true, 6],
    [false, 4],
  ])('counts %s: %i processes, the leader, the 3 stages and a counter per edge between them', async (counts, expected) => {
    let members: string[] = [];
    let started = 0;
    const handle = startRun(pipelineOf(yaml), { fileDir: fixtures, counts });
    await drain(handle, (e, h) => {
      if (e.type !== 'status' || e.status !== 'running' || ++started < 3) return;
      // Every stage has been forked (a stage not yet exec'd still shows as pw-segment).
      const pgid = readStat(e.pid!)!.pgrp;
      members = groupMembers(pgid).map((pid) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      h.cancel();
    });
    expect(members).toHaveLength(expected);
    expect(members.filter((m) => !['pw-segment', 'sleep', 'cat'].includes(m))).toEqual([]);
  });
});
