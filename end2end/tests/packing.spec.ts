import { expect, test, type Browser, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, expectAccessible, open, signUpVerified, uniqueEmail } from './support';

/** The barcodes an independent decoder (zxing-cpp) reads in a file: [page, format, text]. */
function decode(path: string): string[][] {
  const out = execFileSync('../tools/barcodes/decode', [path], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((line) => line.split('\t'));
}

/** A seller and a supplier, connected, and a shipment of `itemsCsv` shared with the supplier. */
async function sharedShipment(browser: Browser, itemsCsv: string) {
  const sellerEmail = uniqueEmail('pack-seller');
  const supplierEmail = uniqueEmail('pack-supplier');
  const seller = await (await browser.newContext({ acceptDownloads: true })).newPage();
  const supplier = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await signUpVerified(seller, { kind: 'seller', company: 'Harbor Teas', name: 'Ann Lee', email: sellerEmail });
  await signUpVerified(supplier, { kind: 'supplier', company: 'Ningbo Pack', name: 'Zhao Min', email: supplierEmail });
  await connect(seller, supplier, { company: 'Ningbo Pack', name: 'Zhao Min', email: supplierEmail }, 'Harbor Teas');

  await open(seller, '/shipments/new');
  await seller.getByLabel('Shipment name').fill('Tea restock');
  await seller.getByLabel('Destination fulfillment center').fill('ONT8');
  await seller.getByLabel('Name or company').fill('Ningbo Pack');
  await seller.getByLabel('Address line 1').fill('8 Harbor Rd');
  await seller.getByLabel('City').fill('Ningbo');
  await seller.getByLabel('Country').fill('CN');
  await seller.getByText('Paste a list instead').click();
  await seller.getByLabel(/^Items, one per line/).fill(itemsCsv);
  await seller.getByLabel('Prep and labelling of pasted items by').selectOption('supplier');
  await seller.getByRole('button', { name: 'Save shipment' }).click();
  await expect(seller.getByRole('heading', { name: 'Prepare Shipment: Tea restock' })).toBeVisible();
  const id = (await seller.getByTestId('shipment-id').textContent())!.trim();
  await seller.getByRole('region', { name: 'Share Shipment' }).locator('form').getByRole('button', { name: 'Share Shipment' }).click();
  await expect(seller.getByText('Shared with Ningbo Pack.')).toBeVisible();
  await open(supplier, `/shipments/${id}`);
  return { seller, supplier, id };
}

/** Types a code as a USB scanner does (keys, then Enter) into whatever has the focus. */
async function scan(page: Page, code: string) {
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
}

/** Closes the scanned box with its weight and sides (and an expiry date, if asked), with
 * the button or, as a packer at the keyboard does, Enter in the last field. */
async function closeBox(page: Page, kg: string, expiry?: string, how: 'click' | 'enter' = 'click') {
  const panel = page.locator('#scan');
  if (expiry) await panel.getByLabel('Expiry date of TEA-3').fill(expiry);
  await panel.getByLabel('Weight', { exact: true }).fill(kg);
  await panel.getByLabel('Length', { exact: true }).fill('40');
  await panel.getByLabel('Width', { exact: true }).fill('30');
  await panel.getByLabel('Height', { exact: true }).fill('20');
  if (how === 'enter') await panel.getByLabel('Height', { exact: true }).press('Enter');
  else await panel.getByRole('button', { name: 'Close box' }).click();
}

test('a supplier packs 3 SKUs into 4 boxes by scanning, and every barcode printed reads back as what is in its box', async ({ browser }) => {
  const { seller, supplier, id } = await sharedShipment(
    browser,
    'sku,quantity,name,fnsku,upc,expiry\nMUG-1,3,Mug,X001ABCDEF,036000291452,no\nCUP-2,2,Cup,B07XYZ1234,,no\nTEA-3,2,Green tea,X00TEA0003,,yes',
  );
  await supplier.getByText('Scan to pack').click();
  await expect(supplier.getByLabel('Scan a barcode')).toBeFocused();
  await expectAccessible(supplier);

  // Box 1: three mugs, by FNSKU and by UPC; a code of nothing in the shipment is refused.
  await scan(supplier, 'X001ABCDEF');
  await expect(supplier.getByTestId('scan-added')).toHaveText('Added 1 × MUG-1 (Mug). In this box: 1. Left to pack: 2.');
  await scan(supplier, 'X009WRONG1');
  await expect(supplier.locator('#scan').getByRole('alert')).toContainText('No item of this shipment has that code');
  await scan(supplier, '036000291452');
  await scan(supplier, 'X001ABCDEF');
  await expect(supplier.getByTestId('scan-added')).toHaveText('Added 1 × MUG-1 (Mug). In this box: 3. Left to pack: 0.');
  // A fourth mug: refused, nothing added.
  await scan(supplier, 'X001ABCDEF');
  await expect(supplier.locator('#scan').getByRole('alert')).toContainText('more units of this item than are left');
  const mugs = supplier.getByTestId('open-box').getByRole('row', { name: 'MUG-1 3 0' });
  await expect(mugs).toBeVisible();
  // The counts are on the server: a reload keeps them.
  await supplier.reload();
  await expect(mugs).toBeVisible();
  await expect(supplier.getByLabel('Scan a barcode')).toBeFocused();
  await closeBox(supplier, '3');
  await expect(supplier.getByTestId('boxed')).toHaveText('1 boxes packed; 4 units still unboxed.');

  // Box 2: the cups by ASIN, straight after closing box 1 (the field has the focus again).
  await expect(supplier.getByLabel('Scan a barcode')).toBeFocused();
  await scan(supplier, 'B07XYZ1234');
  await scan(supplier, 'B07XYZ1234');
  await expect(supplier.getByTestId('scan-added')).toHaveText('Added 1 × CUP-2 (Cup). In this box: 2. Left to pack: 0.');
  await closeBox(supplier, '2', undefined, 'enter');
  await expect(supplier.getByTestId('boxed')).toHaveText('2 boxes packed; 2 units still unboxed.');
  await expect(supplier.getByLabel('Scan a barcode')).toBeFocused();
  // Boxes 3 and 4: one tea each, with different expiry dates.
  await scan(supplier, 'X00TEA0003');
  await expect(supplier.getByTestId('scan-added')).toContainText('TEA-3');
  await closeBox(supplier, '1', '2027-06-30');
  await expect(supplier.getByTestId('boxed')).toHaveText('3 boxes packed; 1 units still unboxed.');
  await scan(supplier, 'tea-3');
  await expect(supplier.getByTestId('scan-added')).toContainText('TEA-3');
  await closeBox(supplier, '1', '2027-09-30');
  await expect(supplier.getByText('Every unit is in a box.')).toBeVisible();
  await expectAccessible(supplier);

  await supplier.getByLabel('Carrier').fill('UPS');
  await supplier.getByLabel('Ship date').fill('2026-12-10');
  await supplier.getByLabel('Amazon shipment ID').fill('FBA15TEA0001');
  await supplier.getByRole('button', { name: 'Save and create labels' }).click();
  await expect(supplier.getByTestId('status')).toHaveText('Labels ready');

  // Box labels for the thermal printer: each box's id, then its box contents.
  let downloading = supplier.waitForEvent('download');
  await supplier.getByRole('link', { name: 'Download labels (thermal 4×6 in)' }).click();
  const thermal = test.info().outputPath('labels-4x6.pdf');
  await (await downloading).saveAs(thermal);
  expect(decode(thermal)).toEqual([
    ['1', 'Code128', `${id}U001`],
    ['2', 'PDF417', `AMZN,PO:FBA15TEA0001,FNSKU:X001ABCDEF,QTY:3`],
    ['3', 'Code128', `${id}U002`],
    ['4', 'PDF417', `AMZN,PO:FBA15TEA0001,ASIN:B07XYZ1234,QTY:2`],
    ['5', 'Code128', `${id}U003`],
    ['6', 'PDF417', `AMZN,PO:FBA15TEA0001,FNSKU:X00TEA0003,QTY:1,EXP:270630`],
    ['7', 'Code128', `${id}U004`],
    ['8', 'PDF417', `AMZN,PO:FBA15TEA0001,FNSKU:X00TEA0003,QTY:1,EXP:270930`],
  ]);
  downloading = supplier.waitForEvent('download');
  await supplier.getByRole('link', { name: 'Download labels (ZPL, for Zebra printers)' }).click();
  const zpl = readFileSync((await (await downloading).path())!, 'utf8');
  expect(zpl.match(/\^B7/g)?.length).toBe(4);
  expect(zpl).toContain(`^FDAMZN,PO:FBA15TEA0001,FNSKU:X00TEA0003,QTY:1,EXP:270930^FS`);

  // Unit labels on the thermal roll: one FNSKU label per unit.
  // The PDF opens in the browser, so the test fetches what the form asks for.
  await supplier.getByLabel('Print on').selectOption({ label: 'Thermal roll, 50 × 25 mm labels' });
  const asked = await supplier.getByRole('button', { name: 'Download unit labels', exact: true }).evaluate(
    (button) => {
      const form = (button as HTMLButtonElement).form!;
      return `${form.action}?${new URLSearchParams(new FormData(form) as unknown as Record<string, string>)}`;
    },
  );
  const unitPdf = await supplier.request.get(asked);
  expect(unitPdf.status()).toBe(200);
  const unitPath = test.info().outputPath('unit-labels.pdf');
  writeFileSync(unitPath, await unitPdf.body());
  const units = decode(unitPath).map(([, format, text]) => `${format} ${text}`);
  expect(units.sort()).toEqual([
    'Code128 B07XYZ1234', 'Code128 B07XYZ1234',
    'Code128 X001ABCDEF', 'Code128 X001ABCDEF', 'Code128 X001ABCDEF',
    'Code128 X00TEA0003', 'Code128 X00TEA0003',
  ]);

  // Shipped: a tracking number a box (scanned off the carrier's labels, here typed).
  for (const n of [1, 2, 3, 4]) {
    await supplier.getByLabel(`Tracking number, box ${n} of 4`).fill(`1Z999AA1012345678${n}`);
  }
  await supplier.getByRole('button', { name: 'Mark as shipped' }).click();
  await expect(supplier.getByTestId('status')).toHaveText('Shipped');

  // The seller's pack list.
  await open(seller, `/shipments/${id}`);
  downloading = seller.waitForEvent('download');
  await seller.getByRole('link', { name: /^Download the pack list/ }).click();
  const csv = readFileSync((await (await downloading).path())!, 'utf8');
  expect(csv).toContain('MUG-1,X001ABCDEF,3,3,3,0,0,0');
  expect(csv).toContain('TEA-3,X00TEA0003,2,2,0,0,1,1');
});

test('typing the next box right after saving one keeps every key and saves each box as typed', async ({ browser }) => {
  const { supplier } = await sharedShipment(browser, 'sku,quantity,name\nMUG-1,3,Mug\nCUP-2,2,Cup');
  const fill = async (sku: string, n: string, kg: string) => {
    await supplier.getByLabel(sku).fill(n);
    await supplier.getByLabel('Weight', { exact: true }).fill(kg);
    await supplier.getByLabel('Length', { exact: true }).fill('40');
    await supplier.getByLabel('Width', { exact: true }).fill('30');
    await supplier.getByLabel('Height', { exact: true }).fill('20');
  };
  await fill('MUG-1 (Mug)', '3', '5');
  await supplier.getByRole('button', { name: 'Save box' }).click();
  // No waiting for the page: box 2 is typed at once, the last field key by key.
  await supplier.getByLabel('CUP-2 (Cup)').fill('2');
  await supplier.getByLabel('Weight', { exact: true }).fill('4');
  await supplier.getByLabel('Length', { exact: true }).fill('35');
  await supplier.getByLabel('Width', { exact: true }).fill('25');
  await supplier.getByLabel('Height', { exact: true }).click();
  await supplier.keyboard.type('15', { delay: 30 });
  await expect(supplier.getByTestId('boxed')).toHaveText('1 boxes packed; 2 units still unboxed.');
  // Whatever the refresh rebuilt, box 2's fields hold what was typed.
  await expect(supplier.getByLabel('CUP-2 (Cup)')).toHaveValue('2');
  await expect(supplier.getByLabel('Weight', { exact: true })).toHaveValue('4');
  await expect(supplier.getByLabel('Height', { exact: true })).toHaveValue('15');
  await supplier.getByRole('button', { name: 'Save box' }).click();
  await expect(supplier.getByTestId('boxed')).toHaveText('2 boxes packed; 0 units still unboxed.');
  await expect(supplier.getByTestId('boxes')).toContainText('CUP-2 × 2');
  await expect(supplier.getByTestId('boxes')).toContainText('MUG-1 × 3');
});

test('an LTL shipment goes on pallets within the limits, each with four labels', async ({ browser }) => {
  const { seller, supplier, id } = await sharedShipment(browser, 'sku,quantity,name,fnsku\nMUG-1,2,Mug,X001ABCDEF');
  await supplier.getByLabel('MUG-1 (Mug)').fill('2');
  await supplier.getByLabel('Weight', { exact: true }).fill('5');
  await supplier.getByLabel('Length', { exact: true }).fill('40');
  await supplier.getByLabel('Width', { exact: true }).fill('30');
  await supplier.getByLabel('Height', { exact: true }).fill('20');
  await supplier.getByRole('button', { name: 'Save box' }).click();
  await expect(supplier.getByText('Every unit is in a box.')).toBeVisible();

  // The pallets show only once LTL is chosen.
  const pallets = supplier.getByTestId('pallet-rows');
  await expect(pallets).toBeHidden();
  await supplier.getByLabel('LTL (less than truckload, on pallets)').check();
  await expect(pallets).toBeVisible();
  await expectAccessible(supplier);
  await supplier.getByLabel('Carrier').fill('Estes');
  await supplier.getByLabel('Ship date').fill('2026-12-10');
  await supplier.getByLabel('Amazon shipment ID').fill('FBA15LTL0001');
  // One pallet row to start with; the number of pallets sets how many.
  const row = (field: string, n: number) => supplier.getByLabel(`${field} (pallet ${n})`);
  await expect(row('Weight, pallet included', 1)).toBeVisible();
  await expect(row('Weight, pallet included', 2)).toHaveCount(0);
  await supplier.getByLabel('Number of pallets').fill('2');
  await row('Weight, pallet included', 1).fill('300');
  await row('Height, pallet included', 1).fill('150');
  await row('Weight, pallet included', 2).fill('1500.1');
  await row('Weight unit', 2).selectOption('lb');
  await row('Height, pallet included', 2).fill('72');
  await row('Length unit', 2).selectOption('in');
  await row('Stackable', 2).check();
  await supplier.getByRole('button', { name: 'Save and create labels' }).click();
  await expect(supplier.getByRole('alert')).toContainText('Pallet 2: A pallet may weigh at most 1500 lb, pallet included.');
  // At the limit it goes. A third row shown, then hidden again, keeps what the rows
  // hold and is not sent.
  await row('Weight, pallet included', 2).fill('1500');
  await supplier.getByLabel('Number of pallets').fill('3');
  await expect(row('Weight, pallet included', 3)).toBeVisible();
  await row('Weight, pallet included', 3).fill('100');
  await supplier.getByLabel('Number of pallets').fill('2');
  await expect(row('Weight, pallet included', 3)).toBeHidden();
  await expect(row('Weight, pallet included', 2)).toHaveValue('1500');
  await expect(row('Stackable', 2)).toBeChecked();
  // Enter in the number saves nothing (the rows follow it already): only the button's
  // save is sent.
  const saves: string[] = [];
  supplier.on('request', (r) => { if (r.url().includes('save_shipping')) saves.push(r.method()); });
  await supplier.getByLabel('Number of pallets').press('Enter');
  await supplier.getByRole('button', { name: 'Save and create labels' }).click();
  await expect(supplier.getByTestId('status')).toHaveText('Labels ready');
  expect(saves).toEqual(['POST']);
  await expect(supplier.getByTestId('pallets')).toHaveText(
    'Pallet 1: 300 kg, 150 cm high, not stackable' + 'Pallet 2: 1500 lb, 72 in high, stackable',
  );
  await expect(supplier.getByLabel('PRO or bill of lading number')).toBeVisible();

  // The thermal labels: the box's, its contents, then four for each pallet, each
  // pallet label with the marketplace's shipment id.
  const downloading = supplier.waitForEvent('download');
  await supplier.getByRole('link', { name: 'Download labels (thermal 4×6 in)' }).click();
  const thermal = test.info().outputPath('ltl-labels.pdf');
  await (await downloading).saveAs(thermal);
  expect(decode(thermal)).toEqual([
    ['1', 'Code128', `${id}U001`],
    ['2', 'PDF417', 'AMZN,PO:FBA15LTL0001,FNSKU:X001ABCDEF,QTY:2'],
    ...[3, 4, 5, 6, 7, 8, 9, 10].map((page) => [`${page}`, 'Code128', 'FBA15LTL0001']),
  ]);
  // The seller sees the same pallets.
  await open(seller, `/shipments/${id}`);
  await expect(seller.getByTestId('pallets')).toContainText('Pallet 2: 1500 lb, 72 in high, stackable');
});

test('a packer who turns the sound on hears a high tone for each unit added and a low one for a refusal', async ({ browser }) => {
  const { supplier } = await sharedShipment(browser, 'sku,quantity,name,fnsku\nMUG-1,2,Mug,X001ABCDEF');
  // The tones the page starts, as the Web Audio API is asked for them.
  await supplier.context().addInitScript(() => {
    // Each tone's pitch, and whether its context was running (a context the page
    // made without a key press or click stays suspended: silent).
    const tones: string[] = [];
    (window as unknown as { tones: string[] }).tones = tones;
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      const oscillator = create.call(this);
      const start = oscillator.start.bind(oscillator);
      oscillator.start = (when?: number) => {
        tones.push(`${oscillator.frequency.value} ${this.state}`);
        start(when);
      };
      return oscillator;
    };
  });
  await open(supplier, supplier.url());
  const tones = () => supplier.evaluate(() => (window as unknown as { tones: string[] }).tones);
  await supplier.getByText('Scan to pack').click();
  const sound = supplier.getByLabel('Beep at each scan: high when a unit is added, low when it is refused');
  await expect(sound).not.toBeChecked();
  // Off, as it starts: silent.
  await supplier.getByLabel('Scan a barcode').focus();
  await scan(supplier, 'X001ABCDEF');
  await expect(supplier.getByTestId('scan-added')).toContainText('In this box: 1.');
  expect(await tones()).toEqual([]);

  await sound.check();
  await expect(supplier.getByLabel('Scan a barcode')).toBeFocused();
  await scan(supplier, 'X001ABCDEF');
  await expect(supplier.getByTestId('scan-added')).toContainText('In this box: 2.');
  await scan(supplier, 'X009WRONG1');
  await expect(supplier.locator('#scan').getByRole('alert')).toContainText('No item of this shipment has that code');
  await expect.poll(tones).toEqual(['880 running', '220 running']);
  // The choice is kept in this browser.
  await open(supplier, supplier.url());
  await expect(sound).toBeChecked();
});

test('before the wasm has loaded, a packer enters the pallets with plain forms', async ({ browser }) => {
  const { supplier, id } = await sharedShipment(browser, 'sku,quantity,name\nMUG-1,2,Mug');
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await plain.context().addCookies(await supplier.context().cookies());
  await plain.goto(`/shipments/${id}`);
  await plain.getByLabel('MUG-1 (Mug)').fill('2');
  await plain.getByLabel('Weight', { exact: true }).fill('5');
  await plain.getByLabel('Length', { exact: true }).fill('40');
  await plain.getByLabel('Width', { exact: true }).fill('30');
  await plain.getByLabel('Height', { exact: true }).fill('20');
  await plain.getByRole('button', { name: 'Save box' }).click();
  await expect(plain.getByText('Every unit is in a box.')).toBeVisible();

  const ltl = plain.getByLabel('LTL (less than truckload, on pallets)');
  await expect(plain.getByTestId('pallet-rows')).toBeHidden();
  await ltl.check();
  await expect(plain.getByTestId('pallet-rows')).toBeVisible();
  // Two pallets: the page comes back with two rows, LTL still chosen and nothing typed
  // lost.
  await plain.getByLabel('Carrier').fill('Estes');
  await plain.getByLabel('Ship date').fill('2026-12-10');
  await plain.getByLabel('Weight, pallet included (pallet 1)').fill('250');
  await plain.getByLabel('Number of pallets').fill('2');
  await plain.getByRole('button', { name: 'Show the rows' }).click();
  await expect(plain.getByLabel('Weight, pallet included (pallet 2)')).toBeVisible();
  await expect(ltl).toBeChecked();
  await expect(plain.getByLabel('Carrier')).toHaveValue('Estes');
  await expect(plain.getByLabel('Weight, pallet included (pallet 1)')).toHaveValue('250');
  for (const n of [1, 2]) {
    await plain.getByLabel(`Weight, pallet included (pallet ${n})`).fill('250');
    await plain.getByLabel(`Height, pallet included (pallet ${n})`).fill('120');
  }
  // Enter in a field saves (it does not ask for rows again).
  await plain.getByLabel('Height, pallet included (pallet 2)').press('Enter');
  await expect(plain.getByTestId('status')).toHaveText('Labels ready');
  await expect(plain.getByTestId('pallets')).toHaveText(
    'Pallet 1: 250 kg, 120 cm high, not stackable' + 'Pallet 2: 250 kg, 120 cm high, not stackable',
  );
});
