// Compiles the engine's TypeScript (engine/, controllers/, shaders/) to dist/, file for file,
// so `vj` runs plain JavaScript: no TypeScript loader at start. Runs from `npm ci`/`npm install`
// (the `prepare` script) and from `npm test`; offline (esbuild ships its binary in its package).
// Plain JS on purpose: it must run before anything is compiled.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['engine', 'controllers', 'shaders'];

/** Every .ts file under `dir` (tests and declaration files excluded). */
function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const entryPoints = SOURCES.flatMap((d) => tsFiles(join(root, d)));
rmSync(join(root, 'dist'), { recursive: true, force: true });
const started = performance.now();
await build({
  entryPoints,
  outdir: join(root, 'dist'),
  outbase: root,
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
process.stderr.write(`build: ${entryPoints.length} files → ${relative(process.cwd(), join(root, 'dist')) || 'dist'}/ in ${Math.round(performance.now() - started)} ms\n`);
