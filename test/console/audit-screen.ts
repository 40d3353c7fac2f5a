/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';

/** Signs in with a browser context of its own (nothing kept in localStorage) and opens the audit screen. */
export async function freshAuditScreen(browser: Browser, serverUrl: string, token: string, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${serverUrl}/console/`);
  await page.getByLabel('Agent token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation').getByRole('link', { name: 'Audit log', exact: true }).click();
  return page;
}
