// Real sshd servers for one test file: fresh keys and `count` servers started before its tests,
// stopped after (root only: see sshd.ts, haveSshd).
import { afterAll, beforeAll } from 'vitest';
import { haveSshd, makeKeys, removeKeys, Sshd, type Keys } from './sshd';

/** `ready` receives the keys and the servers once they listen. */
export function sshdsForFile(count: number, ready: (keys: Keys, boxes: Sshd[]) => void): void {
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
