import { afterEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../../../extension/coalescer';

afterEach(() => vi.useRealTimers());

describe('Coalescer', () => {
  it('runs once per period however often it is asked, and again when asked after', () => {
    vi.useFakeTimers();
    let runs = 0;
    const c = new Coalescer(() => runs++, 200);
    for (let i = 0; i < 50; i++) c.later();
    vi.advanceTimersByTime(199);
    expect(runs).toBe(0);
    vi.advanceTimersByTime(1);
    expect(runs).toBe(1);
    c.later();
    vi.advanceTimersByTime(200);
    expect(runs).toBe(2);
  });

  it('drops a scheduled run on cancel (its owner refreshed now, or went away)', () => {
    vi.useFakeTimers();
    let runs = 0;
    const c = new Coalescer(() => runs++, 200);
    c.later();
    c.cancel();
    vi.advanceTimersByTime(1000);
    expect(runs).toBe(0);
    c.later();
    vi.advanceTimersByTime(200);
    expect(runs).toBe(1);
  });
});
