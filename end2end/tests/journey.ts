import { expect, type Browser, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { connect, expectAccessible, open, signUpVerified, uniqueEmail, waitForEmail } from './support';

/** Waits, polling every frame, until the seller's page shows `text` in the status badge; returns when it did. */
async function statusBecomes(page: Page, text: string): Promise<number> {
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid=status]')?.textContent?.includes(t) ?? false,
    text,
    { polling: 'raf', timeout: 15_000 },
  );
  return Date.now();
}

/**
 * The whole journey of two companies that have never met: sign up, connect (the seller
 * invites, the supplier accepts), create and share a shipment, pack two boxes, labels,
 * tracking, shipped, while the seller's page follows live. `seller` and `supplier` are
 * the base URLs each side uses: the same app, or two replicas of it. Returns the times
 * from each supplier save to the seller's page showing it, in milliseconds.
 */
export async function shipmentJourney(browser: Browser, bases: { seller: string; supplier: string }): Promise<number[]> {
  const sellerEmail = uniqueEmail('ship-seller');
  const supplierEmail = uniqueEmail('ship-supplier');
  const seller = await (await browser.newContext({ baseURL: bases.seller })).newPage();
  const supplierContext = await browser.newContext({ acceptDownloads: true, baseURL: bases.supplier });
  const supplier = await supplierContext.newPage();
  await signUpVerified(seller, { kind: 'seller', company: 'Acme Trading', name: 'Ann Lee', email: sellerEmail });
  await signUpVerified(supplier, { kind: 'supplier', company: 'Shenzhen Goods', name: 'Li Wei', email: supplierEmail });

  // Connect: the seller invites the supplier's existing account, which accepts.
  await connect(seller, supplier, { company: 'Shenzhen Goods', name: 'Li Wei', email: supplierEmail }, 'Acme Trading');

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
  // What the fulfillment center scans: a typo in the UPC's check digit is caught.
  await seller.getByLabel('FNSKU or ASIN 1').fill('x001abcdef');
  await seller.getByLabel('UPC or EAN 1').fill('036000291453');
  await seller.getByLabel('Has an expiry date 1').check();
  await seller.locator('#prep-0').selectOption('supplier');
  // Rows added keep what they hold as more are added (then this one is emptied again).
  await seller.getByRole('button', { name: 'Add a row' }).click();
  await seller.getByLabel('SKU 6').fill('TEA-9');
  await seller.getByRole('button', { name: 'Add a row' }).click();
  await expect(seller.getByLabel('SKU 7')).toBeVisible();
  await expect(seller.getByLabel('SKU 6')).toHaveValue('TEA-9');
  await seller.getByLabel('SKU 6').fill('');
  await seller.getByText('Paste a list instead').click();
  await seller.getByRole('button', { name: 'Save shipment' }).click();
  await expect(seller.getByRole('alert')).toContainText('check digit');
  await seller.getByLabel('UPC or EAN 1').fill('036000291452');
  await seller.getByLabel(/^Items, one per line/).fill('CUP-2,2,Cup,B07XYZ1234\nBAD SKU,x');
  await seller.getByRole('button', { name: 'Save shipment' }).click();
  // A bad line is reported with its number; nothing is lost from the form.
  await expect(seller.getByText(/Line 2:/)).toBeVisible();
  await expect(seller.getByLabel('FNSKU or ASIN 1')).toHaveValue('x001abcdef');
  await seller.getByLabel(/^Items, one per line/).fill('CUP-2,2,Cup,B07XYZ1234');
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
  // The link names the replica that sent it; a load balancer may send the supplier anywhere.
  const path = mail.text.match(/\/shipments\/SH[A-Z0-9]+/)![0];
  await open(supplier, path);
  await expect(supplier.getByRole('heading', { name: 'Shipment: Spring restock' })).toBeVisible();
  await expect(supplier.getByRole('heading', { name: '1. Boxes' })).toBeVisible();
  await expect(supplier.getByRole('row', { name: /MUG-1.*has an expiry date.*X001ABCDEF.*036000291452/ })).toBeVisible();
  await expect(supplier.getByRole('row', { name: /CUP-2.*B07XYZ1234/ })).toBeVisible();
  // Unit labels for what the supplier labels (the mugs), on the thermal roll.
  await expect(supplier.getByTestId('unit-label-counts')).toHaveText('MUG-1: X001ABCDEF × 3');
  const unitLabels = await supplier.request.get(`${path}/unit-labels.pdf?stock=roll-50x25mm`);
  expect(unitLabels.status()).toBe(200);
  expect(unitLabels.headers()['content-type']).toBe('application/pdf');
  await expectAccessible(supplier);

  const latencies: number[] = [];
  // Box 1: the mugs.
  await supplier.getByLabel('MUG-1 (Mug)').fill('3');
  // The mugs expire: one date for the mugs in this box, carried by its 2D barcode.
  await supplier.getByLabel('Expiry date of MUG-1').fill('2027-01-31');
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
  await supplier.getByLabel('Amazon shipment ID').fill('FBA15SPRING1');
  t0 = Date.now();
  await supplier.getByRole('button', { name: 'Save and create labels' }).click();
  latencies.push((await statusBecomes(seller, 'Labels ready')) - t0);
  await expect(seller.getByTestId('carrier')).toHaveText('UPS');
  const downloading = supplier.waitForEvent('download');
  await supplier.getByRole('link', { name: 'Download labels (A4)' }).click();
  const download = await downloading;
  const pdf = readFileSync((await download.path())!);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.toString('latin1')).toContain(`Shipment ${shipmentId}`);
  // Each box's label, then its box-content label with the 2D barcode.
  expect(pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length).toBe(4);
  expect(pdf.toString('latin1')).toContain('EXP 270131');

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

  await seller.context().close();
  await supplierContext.close();
  return latencies;
}
