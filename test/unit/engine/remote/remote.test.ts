import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, run, statusesOf } from '../helpers';
import { haveSshd, makeKeys, removeKeys, Sshd, type Keys } from './sshd';

let keys: Keys;
let box: Sshd;

beforeAll(async () => {
  keys = makeKeys();
  box = await Sshd.start(keys);
});
afterAll(async () => {
  await box?.stop();
  if (keys) removeKeys(keys);
});

describe.runIf(haveSshd)('stages on another host', () => {
  it('smoke', async () => {
    const d = await run(`hosts:
  box: ${box.entry()}
stages:
  - run: seq 1 100000
  - name: square
    on: box
    run: awk '{ print $1 * $1 }'
  - run: tail -n 3
`);
    console.log(JSON.stringify(d.result, null, 1).slice(0, 3000), d.stderr);
    expect(d.output.toString()).toBe(bash(`seq 1 100000 | awk '{ print $1 * $1 }' | tail -n 3`).toString());
    expect(statusesOf(d)).toEqual({ seq: 'succeeded', square: 'succeeded', tail: 'succeeded' });
  });
});
