/**
 * Builds a page of app/: its main.ts bundled for the browser with esbuild (once, in memory,
 * ~100 ms), served with its index.html. `renderer` is the output page, `control` the operator's.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export function createAppPage(app: 'renderer' | 'control'): () => Promise<{ html: string; js: string }> {
  const APP = new URL(`../../app/${app}/`, import.meta.url);
  let cached: Promise<{ html: string; js: string }> | null = null;
  return () => {
    cached ??= (async () => {
      const [html, out] = await Promise.all([
        readFile(new URL('index.html', APP), 'utf8'),
        build({
          entryPoints: [fileURLToPath(new URL('main.ts', APP))],
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
