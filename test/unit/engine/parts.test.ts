import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, type RunEvent } from '../../../engine/events';
import { afterNthNewline, countNewlines, lastLines, LineSplitter, scanNewlines } from '../../../engine/lines';
import { execPrefixed, parseControlLine, shellQuote } from '../../../engine/plumbing';
import { parseIo, parseStat, parseStatus, parseSyscall } from '../../../engine/proc';
import { pickBottleneck, StageMeter, type ProcSample } from '../../../engine/stats';
import { classifyEnd, decodeShellStatus, isBrokenPipeNoise } from '../../../engine/status';

describe('plumbing', () => {
  it('shellQuote gives sh back exactly the word, whatever its bytes', () => {
    const special = fc.constantFrom("'", '"', '\\', '$', '`', '\n', ' ', '*', '!', '~', '{', '}', ';', '#', '\t', '=');
    const word = fc.string({ unit: fc.oneof(special, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })) }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), (words) => {
        const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`]).toString();
        expect(out).toBe(words.map((w) => `${w}\0`).join(''));
      }),
      { numRuns: 40 },
    );
  });

  it('execPrefixed execs simple commands only', () => {
    expect(execPrefixed('grep -v foo')).toBe('exec grep -v foo');
    expect(execPrefixed("awk '{ print $1 }' > out.txt")).toBe("exec awk '{ print $1 }' > out.txt");
    expect(execPrefixed('jq -c .path')).toBe('exec jq -c .path');
    expect(execPrefixed('cat "$FILE"')).toBe('exec cat "$FILE"');
    for (const keep of [
      'sort | uniq -c',
      'a; b',
      'x && y',
      'echo hi',
      'printf "%s\\n" a',
      'X=1 env',
      'cd /tmp',
      'if true; then :; fi',
      'sleep 1 &',
      '(cat)',
      'cat $(ls)',
      'cat <<EOF\nx\nEOF',
      'true',
      '"$CMD" arg',
      'exec cat',
      "echo 'unclosed",
      'grep "$(date)"',
      "awk '{ print }' | sort",
    ]) {
      expect(execPrefixed(keep)).toBe(keep);
    }
  });

  it('an exec-prefixed script behaves like the original under sh', () => {
    for (const [script, input] of [
      ['basename "$HOME" "x y"', ''],
      ['tr a-z A-Z', 'x y\n'],
      ["cat -n '-'", 'x y\n'],
    ]) {
      expect(execPrefixed(script!)).toMatch(/^exec /);
      const a = execFileSync('/bin/sh', ['-c', script!], { input }).toString();
      const b = execFileSync('/bin/sh', ['-c', execPrefixed(script!)], { input }).toString();
      expect(b).toBe(a);
    }
  });

  it('parses control lines', () => {
    const pid = parseControlLine('pid 2 1234 1795309507.870123');
    expect(pid).toMatchObject({ kind: 'pid', index: 2, pid: 1234 });
    expect(pid?.kind === 'pid' ? pid.at : undefined).toBeCloseTo(1795309507870.123, 2);
    expect(parseControlLine('done 1 141 100 200 3 4 1795309507.5 exit 1640')).toEqual({
      kind: 'done',
      index: 1,
      status: 141,
      signaled: false,
      rchar: 100,
      wchar: 200,
      cutimeTicks: 3,
      cstimeTicks: 4,
      at: 1795309507500,
      maxRssKb: 1640,
    });
    // A stage that could not be forked has no peak memory.
    expect(parseControlLine('done 0 126 0 0 0 0 1795309507.5 exit')).toMatchObject({ status: 126, signaled: false, at: 1795309507500 });
    // HOW says whether 137 was an exit or SIGKILL.
    expect(parseControlLine('done 0 137 1 2 3 4 1795309507.5 signal 900')).toMatchObject({ status: 137, signaled: true });
    for (const bad of ['done 1 x', 'hello', 'pid 2 1234', 'done 1 141 100 200 3 4', 'done 0 0 1 2 3 4 1795309507.5 maybe 1', 'pid 0 99 1795309507,870123']) {
      expect(parseControlLine(bad)).toBeUndefined();
    }
  });
});

describe('status', () => {
  const base = { status: 0, sawBrokenPipe: false, terminating: false, cancelling: false, timedOut: false };
  it('classifies ends', () => {
    expect(classifyEnd(base)).toBe('succeeded');
    expect(classifyEnd({ ...base, status: 141 })).toBe('stopped-early');
    expect(classifyEnd({ ...base, status: 1, sawBrokenPipe: true })).toBe('stopped-early');
    expect(classifyEnd({ ...base, status: 1 })).toBe('failed');
    expect(classifyEnd({ ...base, status: 143, terminating: true })).toBe('cancelled');
    expect(classifyEnd({ ...base, status: 0, cancelling: true })).toBe('cancelled');
    expect(classifyEnd({ ...base, status: 143, timedOut: true })).toBe('timed-out');
  });
  it('decodes shell statuses and recognises broken-pipe noise', () => {
    expect(decodeShellStatus(141)).toEqual({ signal: 'SIGPIPE' });
    expect(decodeShellStatus(137)).toEqual({ signal: 'SIGKILL' });
    expect(decodeShellStatus(2)).toEqual({ exitCode: 2 });
    expect(decodeShellStatus(255)).toEqual({ exitCode: 255 });
    for (const l of [
      'cat: write error: Broken pipe',
      'yes: standard output: Broken pipe',
      'Error: write EPIPE',
      'ConnectionResetError: [Errno 104] Connection reset by peer',
    ])
      expect(isBrokenPipeNoise(l)).toBe(true);
    expect(isBrokenPipeNoise('jq: error: syntax error')).toBe(false);
  });
});

describe('/proc parsing', () => {
  it('reads stat fields after a command name with spaces and parentheses', () => {
    const text = '42 (we ird) (x)) S 1 42 42 0 -1 4194304 100 0 0 0 250 30 7 9 20 0 1 0 1000 1000000 200 18446744073709551615';
    expect(parseStat(text)).toEqual({ state: 'S', ppid: 1, pgrp: 42, utimeTicks: 250, stimeTicks: 30, cutimeTicks: 7, cstimeTicks: 9 });
  });
  it('reads io, status and syscall', () => {
    expect(parseIo('rchar: 123\nwchar: 456\nsyscr: 1\n')).toEqual({ rchar: 123, wchar: 456 });
    expect(parseStatus('Name:\tcat\nVmHWM:\t 2048 kB\nVmRSS:\t 1024 kB\n')).toEqual({ rssKb: 1024, hwmKb: 2048 });
    expect(parseSyscall('running')).toBe('running');
    expect(parseSyscall('0 0x0 0x7f 0x20000 0x0 0x0 0x0 0x7ffd 0x7f', 'x64')).toBe('read-stdin');
    expect(parseSyscall('1 0x1 0x7f 0x20000 0x0 0x0 0x0 0x7ffd 0x7f', 'x64')).toBe('write-stdout');
    expect(parseSyscall('1 0x2 0x7f 0x20000 0x0 0x0 0x0 0x7ffd 0x7f', 'x64')).toBe('other');
    expect(parseSyscall('230 0x0 0x0 0x7ffd 0x7ffd 0x0 0x0 0x7ffd 0x7f', 'x64')).toBe('other');
    expect(parseSyscall('63 0x0 0x7f 0x20000 0x0 0x0 0x0 0x7ffd 0x7f', 'arm64')).toBe('read-stdin');
  });
  it('real /proc of this process parses', () => {
    expect(parseStat(fs.readFileSync('/proc/self/stat', 'latin1'))?.state).toMatch(/^[RS]$/);
    expect(parseIo(fs.readFileSync('/proc/self/io', 'latin1')).rchar).toBeGreaterThan(0);
    expect(parseStatus(fs.readFileSync('/proc/self/status', 'latin1')).rssKb).toBeGreaterThan(1000);
  });
});

describe('bottleneck', () => {
  const sample = (wait: ProcSample['wait'], cpu: number): ProcSample => ({
    state: wait === 'running' ? 'R' : 'S',
    utimeTicks: cpu,
    stimeTicks: 0,
    cutimeTicks: 0,
    cstimeTicks: 0,
    rchar: 0,
    wchar: 0,
    rssKb: 1,
    hwmKb: 1,
    wait,
  });
  it('is the stage that works while the others wait on their pipes', () => {
    const meters = ['src', 'heavy', 'sink'].map((n, i) => new StageMeter(n, i));
    for (let t = 0; t < 10; t++) {
      meters[0]!.add(t * 100, sample('write-stdout', t));
      meters[1]!.add(t * 100, sample('running', t * 10));
      meters[2]!.add(t * 100, sample('read-stdin', t));
    }
    expect(pickBottleneck(meters, () => false)).toBe(1);
    expect(meters[1]!.snapshot(1000, 'running', 1, true).busy).toBeGreaterThan(0.9);
  });
  it('is nobody when everyone waits, or with too few samples', () => {
    const meters = ['a', 'b'].map((n, i) => new StageMeter(n, i));
    for (let t = 0; t < 10; t++) {
      meters[0]!.add(t * 100, sample('write-stdout', 0));
      meters[1]!.add(t * 100, sample('read-stdin', 0));
    }
    expect(pickBottleneck(meters, () => false)).toBeUndefined();
    const fresh = ['a', 'b'].map((n, i) => new StageMeter(n, i));
    fresh[0]!.add(0, sample('running', 0));
    expect(pickBottleneck(fresh, () => false)).toBeUndefined();
  });
});

describe('lines', () => {
  it('splits lines across chunks and cuts very long ones', () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l), 8);
    s.push(Buffer.from('ab'));
    s.push(Buffer.from('c\r\nde'));
    s.push(Buffer.from('0123456789abc\nlast'));
    s.end();
    expect(got).toEqual(['abc', 'de012345…', 'last']);
  });
  it('counts newlines and finds the nth', () => {
    const b = Buffer.from('a\nb\nc\n');
    expect(countNewlines(b)).toBe(3);
    expect(countNewlines(b, 0, 3)).toBe(1);
    expect(afterNthNewline(b, 2)).toBe(4);
    expect(afterNthNewline(b, 4)).toBe(-1);
    expect(scanNewlines(b, 1, b.length, 2)).toEqual({ count: 2, last: 3 });
  });
  it('cuts the last lines backwards, oldest first, a first line with no newline before it starting at 0', () => {
    const b = Buffer.from('\nab\ncd\n');
    expect(lastLines(b, 6, 2)).toEqual([
      [1, 3],
      [4, 6],
    ]);
    expect(lastLines(b, 6, 9)).toEqual([
      [0, 0],
      [1, 3],
      [4, 6],
    ]);
    expect(lastLines(b, 0, 3)).toEqual([[0, 0]]);
  });
});

describe('event queue', () => {
  it('pauses the producer above the high-water mark and resumes below half', async () => {
    const log: string[] = [];
    const q = new EventQueue(
      100,
      () => log.push('pause'),
      () => log.push('resume'),
    );
    const rec = (n: number): RunEvent => ({ type: 'records', data: Buffer.alloc(n), count: 1 });
    q.push(rec(60));
    q.push(rec(60));
    expect(log).toEqual(['pause']);
    const it = q[Symbol.asyncIterator]();
    await it.next();
    expect(log).toEqual(['pause']);
    await it.next();
    expect(log).toEqual(['pause', 'resume']);
  });
  it('replaces an unread stats tick by the newer one and ends after close', async () => {
    const q = new EventQueue(
      1000,
      () => {},
      () => {},
    );
    const tick = (ms: number): RunEvent => ({
      type: 'stats',
      edges: [],
      progress: { bytes: 0, bytesPerSec: 0 },
      elapsedMs: ms,
      stages: [],
      records: 0,
      bytes: 0,
    });
    q.push(tick(1));
    q.push(tick(2));
    q.close();
    const got: RunEvent[] = [];
    for await (const e of q) got.push(e);
    expect(got).toEqual([tick(2)]);
  });
  it('has one reader', () => {
    const q = new EventQueue(
      1000,
      () => {},
      () => {},
    );
    q[Symbol.asyncIterator]();
    expect(() => q[Symbol.asyncIterator]()).toThrow(/one event stream/);
  });
});
