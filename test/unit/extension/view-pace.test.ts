import { afterEach, describe, expect, it, vi } from 'vitest';
import { ViewPace } from '../../../extension/view-pace';

afterEach(() => vi.useRealTimers());

/**
 * A view as VS Code's tree view is: it takes the refreshes it is sent one after the other, each
 * taking `drawMs` to draw, and asks for the rows (taken) when it starts on one.
 */
function slowView(drawMs: number) {
  const queue: number[] = [];
  let drawing = false;
  let sent = 0;
  let pace: ViewPace | undefined;
  const next = () => {
    if (drawing || queue.length === 0) return;
    drawing = true;
    queue.shift();
    pace?.taken();
    setTimeout(() => {
      drawing = false;
      next();
    }, drawMs);
  };
  return {
    send: () => {
      sent++;
      queue.push(sent);
      next();
    },
    attach: (p: ViewPace) => (pace = p),
    waiting: () => queue.length,
    sent: () => sent,
  };
}

describe('ViewPace', () => {
  it('keeps at most one refresh waiting however slowly the view draws', () => {
    vi.useFakeTimers();
    const view = slowView(700);
    const pace = new ViewPace(view.send, 5000);
    view.attach(pace);
    let most = 0;
    // A run's changes five times a second for 20 s, into a view that draws one refresh per 0.7 s.
    for (let t = 0; t < 20_000; t += 200) {
      pace.request();
      most = Math.max(most, view.waiting());
      vi.advanceTimersByTime(200);
    }
    expect(most).toBeLessThanOrEqual(1);
    // It still refreshes as fast as the view draws, not slower.
    expect(view.sent()).toBeGreaterThanOrEqual(Math.floor(20_000 / 700) - 1);
    pace.dispose();
  });

  it('sends at once when the view has taken the last refresh, and later what changed meanwhile', () => {
    vi.useFakeTimers();
    let sent = 0;
    const pace = new ViewPace(() => sent++, 1000);
    pace.request();
    expect(sent).toBe(1);
    pace.request();
    pace.request();
    expect(sent).toBe(1); // in flight: the changes wait
    pace.taken();
    pace.taken(); // the view reads several rows of one refresh
    vi.advanceTimersByTime(0);
    expect(sent).toBe(2); // one refresh for both changes
    // A view that never asks (hidden) still gets the changes, at most once per maxWaitMs.
    pace.request();
    expect(sent).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(sent).toBe(3);
    vi.advanceTimersByTime(5000);
    expect(sent).toBe(3);
    pace.dispose();
  });
});
