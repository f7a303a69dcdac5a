import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the server's heap grow past what is live before it collects. By default 2 to 4 times: each version
 * of a big document leaves tens of MB behind (its text, its line offsets), and a 20 MB pipeline's server climbed past
 * 2 GB over edits. Between whole reads it is 1.3 times (a collection every few edits of that file, the server near
 * 1 GB). While a whole text is read, V8's own again: everything read survives, and collecting at each 30 % of growth
 * made that file's first check 6.0 → 7.6 s (bench/README.md). Node warns that flags changed at run time may misbehave;
 * this one is only read when a collection sets the next limit (V8's heap controller), and nothing else depends on it.
 * One setting for the process: a whole read of one document while another's check ends may collect a little early.
 */
export function heapGrowth(whileReading: boolean): void {
  setFlagsFromString(`--heap-growing-percent=${whileReading ? 0 : 30}`);
}
