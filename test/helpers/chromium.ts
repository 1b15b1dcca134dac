/** Debian's Chromium for the browser tests, the bench and the screenshot: headless, as root, WebGL on SwiftShader. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Skip reason for a test suite when Chromium is absent (never under CI=true, where it must be there). */
export const chromiumSkip: string | false = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? 'Debian chromium not installed (scripts/setup-system.sh)' : false;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}
