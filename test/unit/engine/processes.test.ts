// What runs during a local run: each segment's leader (dist/pw-segment), the stages themselves
// and one counter per counted edge (forked from pw-segment), a merger per fan-in. No shell, no
// perl, no wrapper, but the stages the user wrote as `run:` (and what they start).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRun } from '../../../engine';
import { readStat } from '../../../engine/proc';
import { groupMembers } from '../../../engine/reap';
import { drain, fixtures, pipelineOf, run } from './helpers';

/** Every descendant of this process: pid, parent and program (the file it runs, /proc/PID/exe). */
function descendants(): { pid: number; ppid: number; exe: string }[] {
  const all = fs.readdirSync('/proc').flatMap((name) => {
    const stat = /^\d+$/.test(name) ? readStat(Number(name)) : undefined;
    if (!stat) return [];
    let exe = '';
    try {
      exe = fs.readlinkSync(`/proc/${name}/exe`);
    } catch {
      // a zombie, or gone
    }
    return [{ pid: Number(name), ppid: stat.ppid, exe }];
  });
  const mine = new Set([process.pid]);
  // Parents before children is not guaranteed: repeat until nothing is added.
  for (let grown = true; grown;) {
    grown = false;
    for (const p of all) if (!mine.has(p.pid) && mine.has(p.ppid)) grown = mine.add(p.pid) !== undefined;
  }
  return all.filter((p) => p.pid !== process.pid && mine.has(p.pid));
}

const yaml = `stages:
  - command: [sleep, "300"]
  - command: [cat]
  - command: [cat]
`;

describe('processes of a segment', () => {
  it.each([
    [true, 4],
    [false, 4],
  ])('counts %s, nothing passed yet: %i processes, the leader and the 3 stages (a counter starts once its edge has data)', async (counts, expected) => {
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

  it('counts on, once a record passed: 6 processes, the leader, the 3 stages and a counter per edge between them', async () => {
    let members: string[] = [];
    let pgid: number | undefined;
    const handle = startRun(pipelineOf(yaml.replace('command: [sleep, "300"]', 'run: "echo x; exec sleep 300"')), { fileDir: fixtures, counts: true });
    await drain(handle, (e, h) => {
      if (e.type === 'status' && e.pid !== undefined) pgid ??= readStat(e.pid)?.pgrp;
      if (e.type !== 'records' || members.length > 0 || pgid === undefined) return;
      // The record came out of the last stage: it went through both edges' counters.
      members = groupMembers(pgid).map((pid) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
      h.cancel();
    });
    // The first stage is sh until it has exec'd sleep.
    expect(members.map((m) => (m === 'sh' ? 'sleep' : m)).sort()).toEqual(['cat', 'cat', 'pw-segment', 'pw-segment', 'pw-segment', 'sleep']);
  });

  it('reaps an orphaned grandchild (pw-segment is a child subreaper): it never lingers as a zombie', async () => {
    // Stage 1 leaves a background child behind and exits; stage 2 (same segment, so the
    // segment's leader is still there) notes who adopted it, ends it, and waits until it is gone:
    // reaped by its new parent. Every child is a zombie for the moment between its death and its
    // parent's wait, so that state is not a failure; one never reaped stays, and the test times out.
    // The orphan lives until stage 2 kills it, so no timing is involved.
    const d = await run(`stages:
  - run: "sleep 300 & echo $!"
  - run: >-
      read -r pid;
      ppid=$(awk '/^PPid:/ { print $2 }' /proc/$pid/status);
      kill $pid;
      while [ -e /proc/$pid ]; do sleep 0.02; done;
      echo reaped;
      [ "$ppid" = "$(awk '{ print $5 }' /proc/$$/stat)" ] && echo adopted by the group leader
`);
    expect(d.result.outcome).toBe('succeeded');
    expect(d.output.toString()).toBe('reaped\nadopted by the group leader\n');
  });
});

describe('processes of a local graph run', () => {
  it('a fan-out, workers and a fan-in: no bash and no perl but a `run:` stage and what it starts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-processes-'));
    const gate = path.join(dir, 'gate');
    expect(spawnSync('mkfifo', [gate]).status).toBe(0);
    // The first stage waits on the gate, so every stage is there until the test opens it.
    const yaml = `stages:
  - name: src
    command: [cat, ${gate}]
  - name: upper
    input: src
    command: [tr, a-z, A-Z]
    workers: 2
  - name: lower
    input: src
    run: exec bash -c 'tr A-Z a-z'
  - name: both
    input: [upper, lower]
    command: [sort]
`;
    const running = new Map<string, number>();
    let seen: { pid: number; ppid: number; exe: string }[] = [];
    try {
      const d = await drain(startRun(pipelineOf(yaml), { fileDir: fixtures }), (e) => {
        if (e.type !== 'status' || e.status !== 'running' || running.has(e.stage)) return;
        running.set(e.stage, e.pid!);
        if (running.size < 4) return;
        seen = descendants();
        void fs.promises.writeFile(gate, 'b\nA\n');
      });
      expect(d.result.outcome).toBe('succeeded');
      expect(d.output.toString().split('\n').sort()).toEqual(['', 'A', 'B', 'a', 'b']);
      // The user's own bash: the `run:` stage's process (its script execs bash) and what it starts.
      const user = new Set([running.get('lower')!]);
      for (let grown = true; grown;) {
        grown = false;
        for (const p of seen) if (!user.has(p.pid) && user.has(p.ppid)) grown = user.add(p.pid) !== undefined;
      }
      const programs = seen.filter((p) => !user.has(p.pid)).map((p) => path.basename(p.exe));
      expect(programs.filter((name) => /^(bash|perl)/.test(name))).toEqual([]);
      // The engine's own: a pw-segment for the graph and one per worker copy, and their copiers and merger (forks of it).
      expect(programs.filter((name) => name === 'pw-segment').length).toBeGreaterThanOrEqual(3);
      expect(programs).toEqual(expect.arrayContaining(['cat', 'tr', 'sort']));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
