import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signUpVerified, uniqueEmail } from './support';

// Every page but the home page is a lazily loaded wasm chunk. The server-rendered HTML
// must ask the browser to fetch the page's own chunks at once, beside the main module,
// instead of after the main module has run (a waterfall that costs a round trip on a
// slow link). What each page needs is in the manifest `cargo leptos build --split` wrote.
const target = path.resolve(__dirname, '../../target');
const manifest: Record<string, string[]> = JSON.parse(
  readFileSync(path.join(target, 'site/pkg/__wasm_split_manifest.json'), 'utf8'),
);

/** The wasm files the manifest lists for a lazy route (`Shipment` → `__shipment_view_…`). */
function chunksOf(route: string): string[] {
  const snake = route.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase();
  const keys = Object.keys(manifest).filter((k) => new RegExp(`^_*${snake}_view_\\d+$`, 'i').test(k));
  expect(keys, `one manifest entry for ${route} among ${Object.keys(manifest).join(', ')}`).toHaveLength(1);
  const files = manifest[keys[0]].map((m) => `/pkg/${path.basename(m, '.wasm')}.wasm`);
  expect(files.length, `chunks of ${route}`).toBeGreaterThan(0);
  return files;
}

/** The `href`s of the page's `<link rel=preload as=fetch>` and `<link rel=modulepreload>`. */
function preloads(html: string): { fetch: string[]; modules: string[] } {
  const links = [...html.matchAll(/<link\b[^>]*>/g)].map((m) => m[0]);
  const attr = (link: string, name: string) => link.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
  const hrefs = (pick: (l: string) => boolean) => links.filter(pick).map((l) => attr(l, 'href')!);
  return {
    fetch: hrefs((l) => attr(l, 'rel') === 'preload' && attr(l, 'as') === 'fetch'),
    modules: hrefs((l) => attr(l, 'rel') === 'modulepreload'),
  };
}

async function expectPreloaded(request: APIRequestContext, url: string, route: string) {
  const response = await request.get(url, { maxRedirects: 0 });
  expect(response.status(), url).toBe(200);
  const found = preloads(await response.text());
  // Exactly these: a page that preloaded every page's chunks, or another request's,
  // would fail as surely as one that preloaded none. (A file linked twice is fetched
  // once, so duplicates are not counted.)
  const unique = (hrefs: string[]) => [...new Set(hrefs)].sort();
  expect(unique(found.fetch), `${url}: the main module and the ${route} page's chunks`).toEqual(
    unique(['/pkg/supply-chain-connect.wasm', ...chunksOf(route)]),
  );
  expect(unique(found.modules), `${url}: the main script and the chunk loader`).toEqual([
    '/pkg/__wasm_split.______________________.js',
    '/pkg/supply-chain-connect.js',
  ]);
}

const token = '0'.repeat(64);
const signedOut: [string, string][] = [
  ['/sign-up', 'SignUp'],
  ['/sign-in', 'SignIn'],
  ['/forgot-password', 'ForgotPassword'],
  [`/verify-email?token=${token}`, 'VerifyEmail'],
  [`/reset-password?token=${token}`, 'ResetPassword'],
  [`/invitations/accept?token=${token}`, 'Invitation'],
];

/** A verified seller with a draft shipment; the pages a signed-in seller sees. */
async function sellerPages(page: Page): Promise<[string, string][]> {
  await signUpVerified(page, { kind: 'seller', company: 'Preload Goods', name: 'Pia Preload', email: uniqueEmail('preload') });
  await page.goto('/shipments/new');
  await page.getByLabel('Shipment name').fill('Preloaded');
  await page.getByLabel('Destination fulfillment center').fill('ONT8');
  await page.getByLabel('Name or company').fill('Preload Goods');
  await page.getByLabel('Address line 1').fill('1 Main St');
  await page.getByLabel('City').fill('Ontario');
  await page.getByLabel('Country').fill('US');
  await page.getByLabel('SKU 1').fill('SKU-1');
  await page.getByLabel('Quantity 1').fill('5');
  await page.getByRole('button', { name: 'Save shipment' }).click();
  await expect(page.getByRole('heading', { name: 'Prepare Shipment: Preloaded' })).toBeVisible();
  const shipment = new URL(page.url()).pathname;
  return [
    ['/shipments', 'Shipments'],
    ['/shipments/new', 'NewShipment'],
    [shipment, 'Shipment'],
    [`${shipment}/edit`, 'EditShipment'],
    ['/settings/account', 'Account'],
    ['/settings/user-permissions', 'UserPermissions'],
  ];
}

test('each page preloads its own wasm chunks, also many at once', async ({ page, playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  for (const [url, route] of signedOut) await expectPreloaded(anonymous, url, route);
  const signedIn = await sellerPages(page);
  for (const [url, route] of signedIn) await expectPreloaded(page.request, url, route);

  // Under load: every page five times over, all at once, each with its own chunks.
  const all = [...signedOut.map((p) => [anonymous, ...p] as const), ...signedIn.map((p) => [page.request, ...p] as const)];
  await Promise.all(
    Array.from({ length: 5 }, () => all.map(([request, url, route]) => expectPreloaded(request, url, route))).flat(),
  );
  await anonymous.dispose();
});

test.describe('a server started from another working directory', () => {
  const port = 3107;
  let server: ChildProcess;
  let cwd: string;

  test.beforeAll(async () => {
    // The bare binary, as an operator might start it: no LEPTOS_* settings, no SMTP
    // (so the development mailbox is there too), from an empty directory.
    cwd = mkdtempSync(path.join(tmpdir(), 'scc-cwd-'));
    const env = { ...process.env, DATABASE_URL: 'mem://', SITE_ADDR: `127.0.0.1:${port}`, RUST_LOG: 'warn' };
    for (const name of Object.keys(env)) if (name.startsWith('LEPTOS_') || name === 'SMTP_URL') delete env[name];
    server = spawn(path.join(target, 'debug/server'), { cwd, env, stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (healthy) break;
      if (Date.now() > deadline) throw new Error('the server started from another directory did not answer');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  test.afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  });

  test('finds its site: the pages preload their chunks and the chunks are served', async ({ playwright }) => {
    const request = await playwright.request.newContext({ baseURL: `http://127.0.0.1:${port}` });
    await Promise.all([...signedOut, ['/dev/mailbox', 'Mailbox']].map(([url, route]) => expectPreloaded(request, url, route)));
    for (const file of ['/pkg/supply-chain-connect.wasm', ...chunksOf('SignIn')]) {
      expect((await request.get(file)).status(), file).toBe(200);
    }
    await request.dispose();
  });
});
