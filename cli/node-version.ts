/**
 * The oldest Node the bundled CLI runs on: the bundles are built for node20 (scripts/build.ts),
 * and the packed CLI was tried on Node 20.0.0. It is the npm package's `engines` (scripts/npm-package.ts);
 * the repository's own `engines` are the toolchain's (vite and oxlint need ^20.19 || >=22.12).
 */
export const minimumNodeMajor = 20;
export const supportedNode = `>=${minimumNodeMajor}`;
