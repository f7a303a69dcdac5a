/**
 * Refreshes paced by the view that shows them. VS Code's tree view runs the refreshes it is sent
 * one after the other (each asks the workbench to redraw and waits for it); sent faster than the
 * workbench draws — a busy machine, a long tree — they queue, and the view shows older and older
 * news: a new run reached the top of the Stages view seconds after it started. So at most one
 * refresh is in flight: the next is sent when the view has asked for the data of the last one
 * (`taken()`), or after `maxWaitMs` when it does not ask (a hidden view, rows it does not show).
 * What changed meanwhile goes out in that next refresh. No vscode here.
 */
export class ViewPace {
  private inFlight = false;
  private wanted = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: () => void,
    private readonly maxWaitMs: number,
  ) {}

  /** Something changed: refresh now if the view has taken the last refresh, else right after. */
  request(): void {
    if (this.inFlight) this.wanted = true;
    else this.sendNow();
  }

  /** The view asked for rows: the refresh in flight has reached it. */
  taken(): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    this.clearTimer();
    // Not from inside the view's own call: it is still reading this refresh's rows.
    if (this.wanted) this.timer = setTimeout(() => this.request(), 0);
  }

  dispose(): void {
    this.clearTimer();
  }

  private sendNow(): void {
    this.clearTimer();
    this.wanted = false;
    this.inFlight = true;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = false;
      if (this.wanted) this.sendNow();
    }, this.maxWaitMs);
    this.send();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
