import { expect, test } from '@playwright/test';
import { shipmentJourney } from './journey';
import { signUpVerified, uniqueEmail } from './support';

test('the seller shares a shipment; the supplier packs, labels and ships it while the seller watches live', async ({ browser, baseURL }) => {
  const latencies = await shipmentJourney(browser, { seller: baseURL!, supplier: baseURL! });
  console.log(`supplier save → seller page updated (ms): ${latencies.join(', ')}`);
});

test.describe('before the wasm has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('a shipment is created as a plain HTML form, bad lines reported', async ({ page, browser }) => {
    const email = uniqueEmail('nojs-ship');
    const setup = await browser.newPage({ javaScriptEnabled: true });
    await signUpVerified(setup, { kind: 'seller', company: 'Plain Shipping', name: 'Pat Plain', email });
    const cookies = await setup.context().cookies();
    await setup.close();
    await page.context().addCookies(cookies);

    await page.goto('/shipments/new');
    const fill = async () => {
      await page.getByLabel('Shipment name').fill('No-script shipment');
      await page.getByLabel('Destination fulfillment center').fill('ONT8');
      await page.getByLabel('Name or company').fill('Plain Shipping');
      await page.getByLabel('Address line 1').fill('1 Main St');
      await page.getByLabel('City').fill('Ontario');
      await page.getByLabel('Country').fill('US');
    };
    await fill();
    await page.getByText('Paste a list instead').click();
    await page.getByLabel(/^Items, one per line/).fill('SKU-1,5\nSKU-2,999999999999');
    await page.getByRole('button', { name: 'Save shipment' }).click();
    await expect(page.getByRole('alert')).toContainText('Line 2:');
    await expect(page.getByRole('alert')).toContainText('at most 99,999');

    await fill();
    await page.getByLabel('SKU 1').fill('SKU-1');
    await page.getByLabel('Quantity 1').fill('5');
    await page.getByRole('button', { name: 'Save shipment' }).click();
    await expect(page.getByRole('heading', { name: 'Prepare Shipment: No-script shipment' })).toBeVisible();
    // No supplier connected yet: the page says where to connect one.
    await expect(page.getByRole('link', { name: 'Settings › User Permissions' }).last()).toBeVisible();
    await page.getByRole('link', { name: 'Shipments', exact: true }).click();
    await expect(page.getByRole('row', { name: /No-script shipment.*ONT8.*5.*Draft/ })).toBeVisible();
  });
});
