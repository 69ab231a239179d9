import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium; playwright-core drives it and never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of the browser tests (git-ignored), kept after the run as test artifacts. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));

/**
 * Starts chromium headless. Without it the browser tests fail, naming what to install: they are
 * part of `npm test`, and a skipped browser test would pass CI without having run.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `the dashboard's browser tests need Chromium at ${CHROMIUM_PATH}: install Debian's package ` +
        '(sudo apt-get install chromium; .ci/run does this when it is missing) or set CHROMIUM_PATH to another ' +
        'Chromium or Chrome binary',
    );
  }
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = `${ARTIFACTS_DIR}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The text of every body row of the table named `name` (its caption), cell by cell. */
export async function tableRows(page: Page, name: string | RegExp): Promise<string[][]> {
  const rows = await page.getByRole('table', { name }).locator('tbody tr').all();
  return Promise.all(
    rows.map(async (row) => (await row.locator('th, td').allTextContents()).map((text) => text.trim())),
  );
}

/** How wide the page's content is: more than the viewport means a horizontal scroll bar. */
export async function contentWidth(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth'));
}
