/**
 * Builds a page of app/: its main.ts bundled for the browser with esbuild (once, in memory,
 * ~100 ms), served with its index.html. `renderer` is the output page, `control` the operator's.
 */
import { readFile } from 'node:fs/promises';
import { projectPath } from '../paths.js';

export function createAppPage(app: 'renderer' | 'control'): () => Promise<{ html: string; js: string }> {
  const dir = projectPath('app', app);
  let cached: Promise<{ html: string; js: string }> | null = null;
  return () => {
    cached ??= (async () => {
      // esbuild is loaded on the first page request only (not by every vj command).
      const { build } = await import('esbuild');
      const [html, out] = await Promise.all([
        readFile(`${dir}/index.html`, 'utf8'),
        build({
          entryPoints: [`${dir}/main.ts`],
          bundle: true,
          write: false,
          format: 'iife',
          platform: 'browser',
          target: 'es2020',
          minify: false,
          logLevel: 'silent',
        }),
      ]);
      return { html, js: out.outputFiles[0].text };
    })();
    cached.catch(() => (cached = null));
    return cached;
  };
}
