import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expectAccessible, open, signUpVerified, uniqueEmail, waitForEmail } from './support';

/** Waits, polling every frame, until the seller's page shows `text` in the status badge; returns when it did. */
async function statusBecomes(page: Page, text: string): Promise<number> {
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid=status]')?.textContent?.includes(t) ?? false,
    text,
    { polling: 'raf', timeout: 15_000 },
  );
  return Date.now();
}

test('the seller shares a shipment; the supplier packs, labels and ships it while the seller watches live', async ({ browser }) => {
  const sellerEmail = uniqueEmail('ship-seller');
  const supplierEmail = uniqueEmail('ship-supplier');
  const seller = await (await browser.newContext()).newPage();
  const supplierContext = await browser.newContext({ acceptDownloads: true });
  const supplier = await supplierContext.newPage();
  await signUpVerified(seller, { kind: 'seller', company: 'Acme Trading', name: 'Ann Lee', email: sellerEmail });
  await signUpVerified(supplier, { kind: 'supplier', company: 'Shenzhen Goods', name: 'Li Wei', email: supplierEmail });

  // Connect: the seller invites the supplier's existing account, which accepts.
  await open(seller, '/settings/user-permissions');
  const section = seller.getByRole('region', { name: 'Supply Chain Connect Permissions' });
  await section.getByLabel('Company name').fill('Shenzhen Goods');
  await section.getByLabel('Contact name').fill('Li Wei');
  await section.getByLabel('Email address').fill(supplierEmail);
  await section.getByRole('button', { name: 'Send invitation' }).click();
  await expect(section.getByText('Invitation sent.')).toBeVisible();
  await open(supplier, '/settings/user-permissions');
  await supplier.getByRole('button', { name: 'Accept' }).click();
  await expect(supplier.getByText('Acme Trading', { exact: true })).toBeVisible();

  // The seller creates a shipment: one row typed, one line pasted.
  await open(seller, '/shipments');
  await expect(seller.getByText('No shipments yet.')).toBeVisible();
  await seller.getByRole('link', { name: 'Create shipment' }).click();
  await expect(seller.getByRole('heading', { name: 'Create shipment' })).toBeVisible();
  await expectAccessible(seller);
  await seller.getByLabel('Shipment name').fill('Spring restock');
  await seller.getByLabel('Destination fulfillment center').fill('phx7');
  await seller.getByLabel('Name or company').fill('王芳');
  await seller.getByLabel('Address line 1').fill('南山区科技园 1 号');
  await seller.getByLabel('City').fill('深圳');
  await seller.getByLabel('Country').fill('CN');
  await seller.getByLabel('SKU 1').fill('MUG-1');
  await seller.getByLabel('Product name 1').fill('Mug');
  await seller.getByLabel('Quantity 1').fill('3');
  await seller.locator('#prep-0').selectOption('supplier');
  await seller.getByText('Paste a list instead').click();
  await seller.getByLabel(/^Items, one per line/).fill('CUP-2,2,Cup\nBAD SKU,x');
  await seller.getByRole('button', { name: 'Save shipment' }).click();
  // A bad line is reported with its number; nothing is lost from the form.
  await expect(seller.getByText(/Line 2:/)).toBeVisible();
  await seller.getByLabel(/^Items, one per line/).fill('CUP-2,2,Cup');
  await seller.getByRole('button', { name: 'Save shipment' }).click();

  await expect(seller.getByRole('heading', { name: 'Prepare Shipment: Spring restock' })).toBeVisible();
  const shipmentId = (await seller.getByTestId('shipment-id').textContent())!.trim();
  expect(shipmentId).toMatch(/^SH[A-Z0-9]{10}$/);
  await expectAccessible(seller);
  const share = seller.getByRole('region', { name: 'Share Shipment' });
  await share.getByLabel('Message to the supplier (optional)').fill('Fragile: double-box the mugs.');
  await share.locator('form').getByRole('button', { name: 'Share Shipment' }).click();
  await expect(seller.getByText('Shared with Shenzhen Goods.')).toBeVisible();
  await expect(seller.getByTestId('status')).toHaveText('Shared');

  // The supplier follows the email's link.
  const mail = await waitForEmail(supplierEmail, 'Acme Trading shared a shipment with you');
  expect(mail.text).toContain('MUG-1 × 3');
  expect(mail.text).toContain('Fragile: double-box the mugs.');
  const link = mail.text.match(/https?:\/\/\S+\/shipments\/SH[A-Z0-9]+/)![0];
  await open(supplier, link);
  await expect(supplier.getByRole('heading', { name: 'Shipment: Spring restock' })).toBeVisible();
  await expect(supplier.getByRole('heading', { name: '1. Boxes' })).toBeVisible();
  await expectAccessible(supplier);

  const latencies: number[] = [];
  // Box 1: the mugs.
  await supplier.getByLabel('MUG-1 (Mug)').fill('3');
  await supplier.getByLabel('Weight', { exact: true }).fill('5');
  await supplier.getByLabel('Length', { exact: true }).fill('40');
  await supplier.getByLabel('Width', { exact: true }).fill('30');
  await supplier.getByLabel('Height', { exact: true }).fill('20');
  let t0 = Date.now();
  await supplier.getByRole('button', { name: 'Save box' }).click();
  latencies.push((await statusBecomes(seller, 'Packing')) - t0);
  await expect(seller.getByTestId('boxed')).toHaveText('1 boxes packed; 2 units still unboxed.');

  // Box 2: the cups, in pounds and inches.
  await expect(supplier.getByTestId('boxed')).toHaveText('1 boxes packed; 2 units still unboxed.');
  await supplier.getByLabel('CUP-2 (Cup)').fill('2');
  await supplier.getByLabel('Weight', { exact: true }).fill('10');
  await supplier.getByLabel('Weight unit').selectOption('lb');
  await supplier.getByLabel('Length', { exact: true }).fill('12');
  await supplier.getByLabel('Width', { exact: true }).fill('10');
  await supplier.getByLabel('Height', { exact: true }).fill('8');
  await supplier.getByLabel('Length unit').selectOption('in');
  t0 = Date.now();
  await supplier.getByRole('button', { name: 'Save box' }).click();
  await seller.waitForFunction(
    () => document.querySelector('[data-testid=boxed]')?.textContent?.startsWith('2 boxes packed; 0 units'),
    null,
    { polling: 'raf', timeout: 15_000 },
  );
  latencies.push(Date.now() - t0);
  await expect(supplier.getByText('Every unit is in a box.')).toBeVisible();
  await expectAccessible(supplier);

  // Shipping and labels.
  await supplier.getByLabel('Carrier').fill('UPS');
  await supplier.getByLabel('Ship date').fill('2026-12-01');
  t0 = Date.now();
  await supplier.getByRole('button', { name: 'Save and create labels' }).click();
  latencies.push((await statusBecomes(seller, 'Labelled')) - t0);
  await expect(seller.getByTestId('carrier')).toHaveText('UPS');
  const downloading = supplier.waitForEvent('download');
  await supplier.getByRole('link', { name: 'Download labels (A4)' }).click();
  const download = await downloading;
  const pdf = readFileSync((await download.path())!);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.toString('latin1')).toContain(`Shipment ${shipmentId}`);
  expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length).toBe(2);

  // Tracking, then shipped.
  await supplier.getByLabel('Tracking number, box 1 of 2').fill('1Z999AA10123456784');
  await supplier.getByLabel('Tracking number, box 2 of 2').fill('1Z999AA10123456785');
  t0 = Date.now();
  await supplier.getByRole('button', { name: 'Mark as shipped' }).click();
  latencies.push((await statusBecomes(seller, 'Shipped')) - t0);
  await expect(seller.getByRole('cell', { name: '1Z999AA10123456784' })).toBeVisible();
  await expect(seller.getByTestId('timeline')).toContainText('Li Wei (Shenzhen Goods) marked the shipment shipped');
  await expectAccessible(seller);
  const shipped = await waitForEmail(sellerEmail, 'Shipped: Spring restock');
  expect(shipped.text).toContain('1Z999AA10123456785');

  // Both lists agree.
  await open(seller, '/shipments');
  await expect(seller.getByRole('row', { name: /Spring restock.*Shenzhen Goods.*Shipped/ })).toBeVisible();
  await open(supplier, '/shipments?status=shipped');
  await expect(supplier.getByRole('heading', { name: 'Shared with me' })).toBeVisible();
  await expect(supplier.getByRole('row', { name: /Spring restock.*Acme Trading.*Shipped/ })).toBeVisible();
  await expectAccessible(supplier);

  // The same page in 简体中文, switched in place.
  await open(seller, `/shipments/${shipmentId}`);
  await seller.getByRole('button', { name: /简体中文/ }).click();
  await expect(seller.getByRole('heading', { name: '货件:Spring restock' })).toBeVisible();
  await expect(seller.getByTestId('status')).toHaveText('已发货');
  await expect(seller.getByRole('heading', { name: '装箱与发货' })).toBeVisible();
  await expect(seller.getByTestId('timeline')).toContainText('Li Wei(Shenzhen Goods)已将货件标记为已发货');
  await expectAccessible(seller);

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
