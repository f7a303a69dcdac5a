/**
 * Where `write` puts its file (docs/dsl.md, "write"): shared by the built-in and the engine,
 * which removes a temporary file that a killed `write` could not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Most symlinks followed before giving up, as the kernel's ELOOP. */
const maxLinks = 40;

/**
 * The file a write to `file` lands in: symlinks are followed (also dangling ones: the file is
 * created where the link points), so the link stays a link.
 */
export function resolveTarget(file: string): string {
  let p = path.resolve(file);
  for (let i = 0; i < maxLinks; i++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  throw Object.assign(new Error(`too many levels of symbolic links at ${file}`), { code: 'ELOOP' });
}

/**
 * Names that stand for a process's own fds (`/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`): the stage's
 * fds where it wrote, this process's where it is looked at — never the file it wrote.
 */
const ownFds = /^\/(dev\/(stdin|stdout|stderr|fd\/)|proc\/(self|thread-self)\/)/;

/** The file `write` wrote to `file` and its size, once it has committed; undefined when it is not a regular file. */
export function writtenFile(file: string): { file: string; bytes: number } | undefined {
  if (ownFds.test(path.resolve(file))) return undefined;
  try {
    const st = fs.statSync(file);
    return st.isFile() ? { file, bytes: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/** The temporary name next to the final one (same folder, so the rename is atomic). */
export function temporaryName(target: string, pid: number = process.pid): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${pid}.pipewright-tmp`);
}
