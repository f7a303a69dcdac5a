/**
 * A refresh that runs at most once per `ms`, however often it is asked for: `later()` schedules
 * it unless one is already due; `cancel()` drops a scheduled one (when the owner refreshes now,
 * or is disposed). The run store, the Stages tree, the run panel and the records view pace
 * themselves with it.
 */
export class Coalescer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: () => void,
    private readonly ms: number,
  ) {}

  later(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, this.ms);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
