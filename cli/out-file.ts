import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A file `run` writes once the run has ended (`--stats-json`, `--trace`). It is opened before
 * anything runs, so that a file that cannot be written refuses the run instead of failing after
 * it: only open() knows (root passes every access() check, also on /proc). An existing file keeps
 * its contents until the new ones are written. A FIFO is opened only when written: opening one
 * waits for its reader.
 */
export class OutputFile {
  private constructor(
    readonly file: string,
    private fd: number | undefined,
  ) {}

  /** The opened file, or why it cannot be written. */
  static open(file: string): OutputFile | { why: string } {
    try {
      if (fs.statSync(file).isFIFO()) return new OutputFile(file, undefined);
    } catch {
      // not there yet: created below
    }
    try {
      return new OutputFile(file, fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o666));
    } catch (e) {
      return { why: whyUnwritable(file, e as NodeJS.ErrnoException) };
    }
  }

  /** Replaces the contents with `text` and closes the file; the error's message when that fails. */
  write(text: string): string | undefined {
    try {
      this.fd ??= fs.openSync(this.file, 'w');
      if (fs.fstatSync(this.fd).isFile()) fs.ftruncateSync(this.fd, 0);
      fs.writeFileSync(this.fd, text);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // closed already
    }
    this.fd = undefined;
  }
}

function whyUnwritable(file: string, e: NodeJS.ErrnoException): string {
  const dir = path.dirname(path.resolve(file));
  const reasons: Record<string, () => string> = {
    EISDIR: () => 'it is a folder',
    EACCES: () => (fs.existsSync(file) ? 'permission denied' : `its folder ${dir} is not writable`),
    EROFS: () => 'the file system is read-only',
    ENOTDIR: () => `${dir} is not a folder`,
    ENOENT: () => (fs.existsSync(dir) ? `no file can be created in ${dir}` : `its folder ${dir} does not exist`),
  };
  reasons.EPERM = reasons.EACCES!;
  return (e.code !== undefined ? reasons[e.code]?.() : undefined) ?? e.message;
}
