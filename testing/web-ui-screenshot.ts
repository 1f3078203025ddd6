/**
 * What a user sees of runs in the dev stack's Web UI, in a real browser: headless Chromium
 * (Debian's: apt-get install chromium) opens a run in progress, whose current details name
 * the map under way and the queue the main program waits on, and a finished run, whose input,
 * result and timeline read through mpflow's codec server, and saves each page as a PNG.
 *   npx tsx testing/web-ui-screenshot.ts [outDir=.mpflow/screenshots]
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { harness } from './harness.js';

const outDir = resolve(process.argv[2] ?? '.mpflow/screenshots');
mkdirSync(outDir, { recursive: true });
const runs = await harness('temporal', 'test/programs/semantics');
// Without these, Chromium keeps trying to reach Google's services, which a closed network refuses.
const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: QUIET });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  /** The run's page, or one of its tabs (`User Metadata` holds its summary and current details). */
  const shoot = async (workflowId: string, name: string, tab?: string) => {
    await page.goto(`${runs.endpoints.webUiUrl}/namespaces/${runs.endpoints.temporalNamespace}/workflows/${workflowId}`, { waitUntil: 'load' });
    await page.waitForTimeout(4_000);
    if (tab) {
      await page.getByText(tab, { exact: true }).first().click();
      await page.waitForTimeout(2_000);
    }
    const file = join(outDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${file}`);
  };
  const finished = await runs.start!('queueWaitDuringMap', 10);
  await finished.result();
  await shoot(finished.workflowId, 'finished-run');
  const running = await runs.start!('queueWaitDuringMap', 20_000);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await shoot(running.workflowId, 'running-run');
  await shoot(running.workflowId, 'running-run-details', 'User Metadata');
  await running.terminate('screenshot taken');
} finally {
  await browser.close();
  await runs.close();
}
