/**
 * The pipe from a segment on a host into the local segment after it (docs/remote.md): ssh writes
 * into it and the local stage reads from it, kernel to kernel, like `ssh host a | b` by hand.
 * When the local stage stops reading, ssh's writes fail and the host's last stage gets SIGPIPE,
 * as by hand; the stages' reports still come on the segment's control stream (engine/remote.ts).
 * Node has no pipe(2): a FIFO made in a private folder and removed once open gives the same.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Writable } from 'node:stream';

export interface HostPipe {
  /** For ssh's stdout. */
  write: number;
  /** For the local segment's stdin. */
  read: number;
}

/** A HostPipe rather than a stream to write into (a Writable's `write` is a method, a HostPipe's an fd). */
export function isHostPipe(x: Writable | HostPipe | undefined): x is HostPipe {
  return typeof x?.write === 'number';
}

export function hostPipe(): HostPipe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-pipe-'));
  try {
    const fifo = path.join(dir, 'p');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // Held for reading and writing, it lets the other opens return at once (Linux).
    const both = fs.openSync(fifo, fs.constants.O_RDWR);
    try {
      const read = fs.openSync(fifo, fs.constants.O_RDONLY);
      try {
        return { read, write: fs.openSync(fifo, fs.constants.O_WRONLY) };
      } catch (e) {
        fs.closeSync(read);
        throw e;
      }
    } finally {
      fs.closeSync(both);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
