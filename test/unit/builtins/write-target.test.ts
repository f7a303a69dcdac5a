// What the engine reports as a `write` stage's file, looked at from the engine's own process.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writtenFile } from '../../../engine/builtins/write-target';

let dir: string;
let fd: number;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-written-'));
  fd = fs.openSync(path.join(dir, 'mine.ndjson'), 'w');
  fs.writeSync(fd, 'this process’s own file\n');
});
afterEach(() => {
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('writtenFile', () => {
  it('gives a regular file and its size', () => {
    fs.writeFileSync(path.join(dir, 'out.ndjson'), '{"a":1}\n');
    expect(writtenFile(path.join(dir, 'out.ndjson'))).toEqual({ file: path.join(dir, 'out.ndjson'), bytes: 8 });
  });

  it('gives nothing for a name of a process’s own fd: the stage wrote to its fd, the engine would see one of its own (a file here)', () => {
    for (const name of [`/proc/self/fd/${fd}`, `/dev/fd/${fd}`, '/dev/stdout', '/dev/stderr', `/proc/thread-self/fd/${fd}`])
      expect(writtenFile(name), name).toBeUndefined();
  });
});
