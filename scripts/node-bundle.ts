// An esbuild plugin for the Node bundles (the CLI, the language server, the extension, the built-in
// stages), for start-up: page faults are what a start costs on the VMs measured (~50 µs each;
// bench/README.md, "Start-up and soak (issue 21, session 7)"). Each Node built-in (`node:fs`, …) is
// one module of the bundle whose exports are the built-in's own properties. Without it, esbuild
// turns every `import * as fs from 'node:fs'` into a fresh copy of all the module's properties
// (`__toESM`): the CLI made 44 such copies at start-up, ~3,000 getters, ~500 page faults. The
// functions are the same objects `require()` returns. A few built-ins that a plain local run never uses
// (`lazyBuiltins`) are loaded at their first call instead: `node:crypto` alone is ~20 internal modules.
import { builtinModules, createRequire } from 'node:module';
import type * as esbuild from 'esbuild';

const namespace = 'node-builtin';
const load = createRequire(__filename);

/** Built-ins loaded at the first call of one of their functions (only remote runs and `sample` use `node:crypto`). */
const lazyBuiltins = new Set(['node:crypto']);

/**
 * The module text of built-in `name`: one export per property (dropped by esbuild when unused), and a default export
 * that is the module itself (which loads it). A lazy built-in's functions are wrappers that load it on their first call.
 */
function moduleText(name: string): string {
  const lazy = lazyBuiltins.has(name);
  const lines = lazy
    ? [`let m;`, `const get = () => (m ??= require(${JSON.stringify(name)}));`, 'export default /* @__PURE__ */ (() => get())();']
    : [`const m = require(${JSON.stringify(name)});`, 'export default m;'];
  const module = load(name) as Record<string, unknown>;
  for (const key of Object.keys(module)) {
    if (key === 'default' || !/^[A-Za-z_$][\w$]*$/.test(key)) continue;
    if (!lazy) lines.push(`export const ${key} = /* @__PURE__ */ (() => m.${key})();`);
    else if (typeof module[key] === 'function') lines.push(`export function ${key}(...args) { return get().${key}(...args); }`);
    else lines.push(`export const ${key} = /* @__PURE__ */ (() => get().${key})();`);
  }
  return `${lines.join('\n')}\n`;
}

export const nodeBundlePlugin: esbuild.Plugin = {
  name: 'node-bundle',
  setup(build) {
    const builtins = new Set(builtinModules);
    build.onResolve({ filter: /^node:/ }, (args) => {
      // The built-in itself, from the module made below: Node's own require.
      if (!builtins.has(args.path.slice('node:'.length)) || args.namespace === namespace) return { path: args.path, external: true };
      return { path: args.path, namespace };
    });
    build.onLoad({ filter: /.*/, namespace }, (args) => ({ contents: moduleText(args.path), loader: 'js' }));
  },
};
