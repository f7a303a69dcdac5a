// Real sshd servers for one test file: fresh keys and `count` servers started before its tests,
// stopped after (root only: see sshd.ts, haveSshd).
import { afterAll, beforeAll, expect } from 'vitest';
import { haveSshd, makeKeys, removeKeys, Sshd, type Keys } from './sshd';

/** `ready` receives the keys and the servers once they listen. */
export function sshdsForFile(count: number, ready: (keys: Keys, boxes: Sshd[]) => void): void {
  // Said where the run's output shows it, not only as a grey "skipped".
  if (!haveSshd)
    console.warn(
      `SKIPPED: ${expect.getState().testPath ?? 'a remote suite'}: stages on other hosts need root, /usr/sbin/sshd (a real sshd on 127.0.0.1) and unshare --mount (its home folder)`,
    );
  let keys: Keys | undefined;
  let boxes: Sshd[] = [];
  beforeAll(async () => {
    if (!haveSshd) return;
    keys = makeKeys();
    const k = keys;
    boxes = await Promise.all(Array.from({ length: count }, () => Sshd.start(k)));
    ready(k, boxes);
  });
  afterAll(async () => {
    await Promise.all(boxes.map((b) => b.stop()));
    if (keys) removeKeys(keys);
  });
}
