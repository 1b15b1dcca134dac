/**
 * Builds the output page: app/renderer/main.ts bundled for the browser with esbuild (once, in
 * memory, ~100 ms), served with app/renderer/index.html.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const APP = new URL('../../app/renderer/', import.meta.url);

export function createRendererPage(): () => Promise<{ html: string; js: string }> {
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
