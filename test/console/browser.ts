/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it): no browser is ever downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
  });

/**
 * Chromium, started while `setup` runs (the suite's server started and seeded): the launch takes
 * as long as a server's start, so neither waits for the other. A setup that fails is the error
 * reported, and the browser launched beside it is closed; a launch that fails fails the suite.
 */
export async function chromiumBeside(setup: () => Promise<void>): Promise<Browser> {
  const launched = launchChromium();
  try {
    await setup();
  } catch (error) {
    await launched.then((browser) => browser.close(), () => undefined);
    throw error;
  }
  return launched;
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is now. axe is evaluated through
 * the DevTools protocol: the console's CSP would (rightly) refuse it as an injected script tag.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
    return (await axe.run(document)).violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.map((node) => JSON.stringify(node.target)) }));
  });
  return violations.filter(({ impact }) => impact === 'serious' || impact === 'critical').map(({ id, help, targets }) => `${id}: ${help} (${targets.join(', ')})`);
}
