/**
 * The shell's preload: gives the page `window.vjShell`, so it knows it runs in the shell (and can
 * hide its own "go full screen" hints), and nothing else — no Node, no IPC.
 *
 * @remarks Bundled to CJS by engine/cli/outputWindow.ts: sandboxed preloads cannot be ES modules.
 */
import { contextBridge } from 'electron';

/** What the page sees as `window.vjShell`. */
export interface VjShell {
  readonly platform: NodeJS.Platform;
}

const shell: VjShell = Object.freeze({ platform: process.platform });
contextBridge.exposeInMainWorld('vjShell', shell);
