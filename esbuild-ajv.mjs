// esbuild plugin: the dsl's JSON Schema validator, compiled at build time (ajv standalone code)
// instead of at start-up. `new Ajv(options).compile(schema)` in dsl/schema-check.ts then returns
// the precompiled function when options and schema are the ones compiled here; otherwise it
// falls back to the real ajv, so a change to either can never give a stale validator.
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const options = { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true };

export function precompiledAjv() {
  return {
    name: 'precompiled-ajv',
    setup(build) {
      build.onResolve({ filter: /^ajv$/ }, (args) => (/[\\/]dsl[\\/]schema-check\.ts$/.test(args.importer) ? { path: 'ajv', namespace: 'precompiled-ajv' } : undefined));
      build.onLoad({ filter: /.*/, namespace: 'precompiled-ajv' }, () => {
        const Ajv = require('ajv').default;
        const standalone = require('ajv/dist/standalone').default;
        const schemaFile = path.resolve('schemas/pipeline.schema.json');
        delete require.cache[schemaFile];
        const schema = require(schemaFile);
        const ajv = new Ajv({ ...options, code: { source: true } });
        const code = standalone(ajv, ajv.compile(schema));
        const contents = `
let precompiled;
const loadPrecompiled = () => (precompiled ??= (() => { const module = { exports: {} }; const exports = module.exports; ${code}; return module.exports; })());
const compiledOptions = ${JSON.stringify(JSON.stringify(options))};
const compiledSchema = ${JSON.stringify(JSON.stringify(schema))};
class Ajv {
  constructor(options) { this.options = options; }
  compile(schema) {
    if (JSON.stringify(this.options) === compiledOptions && JSON.stringify(schema) === compiledSchema) return loadPrecompiled();
    const Real = require('ajv/dist/ajv.js').default;
    return new Real(this.options).compile(schema);
  }
}
module.exports = Ajv;
module.exports.default = Ajv;
`;
        return { contents, loader: 'js', resolveDir: process.cwd(), watchFiles: [schemaFile] };
      });
    },
  };
}
