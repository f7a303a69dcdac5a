// What bench/run.ts needs from the sources, bundled by it into bench/data/engine.cjs.
export { check } from '../dsl';
export { nodeHost } from '../dsl/host-node';
export { startRun } from '../engine';
