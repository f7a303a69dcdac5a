import { isBrokenPipeNoise } from './status';

/** Lines of a stage's stderr kept for its result and messages. */
const tailLines = 10;
/** Broken-pipe noise (and traceback lines) held per stage until it is known whether it stopped early. */
const heldLines = 50;
const tracebackLines = 200;

/**
 * One stage's stderr on its way to the event stream. Broken-pipe noise (and a Python
 * traceback ending in BrokenPipeError) is held back: dropped if the stage turns out to have
 * stopped early, shown otherwise. A traceback is held until its last line says what it was.
 */
export class StderrFilter {
  /** The last lines, for the stage's result and failure message. */
  readonly tail: string[] = [];
  /** It printed broken-pipe noise: a sign that its reader went away first. */
  sawBrokenPipe = false;
  private held: string[] = [];
  private traceback: string[] | undefined;

  constructor(private readonly emit: (line: string) => void) {}

  line(line: string): void {
    this.tail.push(line);
    if (this.tail.length > tailLines) this.tail.shift();
    if (this.traceback) {
      if (/^\s/.test(line)) {
        if (this.traceback.length < tracebackLines) this.traceback.push(line);
        return;
      }
      this.traceback.push(line);
      this.flushTraceback(isBrokenPipeNoise(line));
      return;
    }
    if (line.startsWith('Traceback (most recent call last):')) {
      this.traceback = [line];
      return;
    }
    if (isBrokenPipeNoise(line)) {
      this.sawBrokenPipe = true;
      this.hold([line]);
      return;
    }
    this.emit(line);
  }

  /** The stage ended: an unfinished traceback is shown as it is (call before classifying). */
  ended(): void {
    this.flushTraceback(false);
  }

  /** The stage was classified: held noise is dropped if it stopped early, shown otherwise. */
  settle(stoppedEarly: boolean): void {
    if (!stoppedEarly) for (const l of this.held) this.emit(l);
    this.held = [];
  }

  private flushTraceback(noise: boolean): void {
    const lines = this.traceback;
    this.traceback = undefined;
    if (!lines) return;
    if (noise) {
      this.sawBrokenPipe = true;
      this.hold(lines);
    } else for (const l of lines) this.emit(l);
  }

  private hold(lines: string[]): void {
    this.held.push(...lines);
    if (this.held.length > heldLines) this.held.splice(0, this.held.length - heldLines);
  }
}
