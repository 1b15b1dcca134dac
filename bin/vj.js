#!/usr/bin/env node
// The `vj` command: runs the compiled engine (dist/, made by `npm ci` or `npm run build`); from a
// checkout not yet built, the TypeScript source through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/engine/cli/vj.js', import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../engine/cli/vj.ts'));
}
process.exitCode = await main(process.argv.slice(2));
