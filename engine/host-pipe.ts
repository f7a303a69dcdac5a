/**
 * The pipe from a segment on a host into the local segment after it (docs/remote.md): ssh writes
 * into it and the local stage reads from it, kernel to kernel, like `ssh host a | b` by hand.
 * The engine keeps a third, unread end: while it is open, ssh never sees EPIPE when the local
 * stage stops reading (ssh would then stop forwarding the session's stderr, the stages' final
 * reports among it), so the engine can end the remote stage with SIGPIPE and drain the rest.
 * Node has no pipe(2): a FIFO made in a private folder and removed once open gives the same.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface HostPipe {
  /** For ssh's stdout. */
  write: number;
  /** For the local segment's stdin. */
  read: number;
  /** The engine's end (non-blocking), read only to drain what the remote stage still writes. */
  spare: number;
}

export function hostPipe(): HostPipe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewright-pipe-'));
  try {
    const fifo = path.join(dir, 'p');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    // Held for reading and writing, it lets the other opens return at once (Linux).
    const fds = [fs.openSync(fifo, fs.constants.O_RDWR)];
    try {
      for (const flags of [fs.constants.O_RDONLY, fs.constants.O_WRONLY, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK]) fds.push(fs.openSync(fifo, flags));
    } catch (e) {
      for (const fd of fds) fs.closeSync(fd);
      throw e;
    }
    fs.closeSync(fds[0]!);
    return { read: fds[1]!, write: fds[2]!, spare: fds[3]! };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
