import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { MAILDEV_WEB_PORT } from '../playwright.config';

export interface Email {
  messageId?: string;
  headers?: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  to: { address: string }[];
}

/** Opens a page and waits until the wasm has hydrated it. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await page.locator('body[data-hydrated]').waitFor();
}

/** Fails with the list of violations when axe finds any on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
  expect(summary, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** Waits for the newest email to `to` (whose subject contains `subject`) at the SMTP server. */
export async function waitForEmail(to: string, subject: string): Promise<Email> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const response = await fetch(`http://127.0.0.1:${MAILDEV_WEB_PORT}/api/email`);
    const all = (await response.json()) as Email[];
    const mine = all.filter((m) => m.to.some((t) => t.address === to) && m.subject.includes(subject));
    if (mine.length > 0) return mine[mine.length - 1];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no email "${subject}" to ${to} within 20 s`);
}

/** The first link in an email's text that carries a token. */
export function tokenLink(email: Email): string {
  const match = email.text.match(/https?:\/\/\S+token=[0-9a-f]{64}/);
  if (!match) throw new Error(`no token link in: ${email.text}`);
  return match[0];
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export const PASSWORD = 'correct horse battery';

/** Signs up through the page and follows the verification email's link. */
export async function signUpVerified(
  page: Page,
  who: { kind: 'seller' | 'supplier'; company: string; name: string; email: string },
) {
  await open(page, '/sign-up');
  if (who.kind === 'supplier') await page.getByLabel(/^Supplier:/).check();
  await page.getByLabel('Company name').fill(who.company);
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: `Welcome, ${who.name}` })).toBeVisible();
  const mail = await waitForEmail(who.email, 'Verify your email address');
  await open(page, tokenLink(mail));
  await page.getByRole('button', { name: 'Verify email address' }).click();
  await expect(page.getByText('Your email address is verified.')).toBeVisible();
}

/**
 * Connects two signed-in companies as a user would: the seller invites the supplier's
 * existing account in Settings › User Permissions, and the supplier accepts there.
 */
export async function connect(seller: Page, supplier: Page, to: { company: string; name: string; email: string }, from: string) {
  await open(seller, '/settings/user-permissions');
  const section = seller.getByRole('region', { name: 'Supply Chain Connect Permissions' });
  await section.getByLabel('Company name').fill(to.company);
  await section.getByLabel('Contact name').fill(to.name);
  await section.getByLabel('Email address').fill(to.email);
  await section.getByRole('button', { name: 'Send invitation' }).click();
  await expect(section.getByText('Invitation sent.')).toBeVisible();
  await open(supplier, '/settings/user-permissions');
  await supplier.getByRole('button', { name: 'Accept' }).click();
  await expect(supplier.getByText(from, { exact: true })).toBeVisible();
}
