import { expect, test } from '@playwright/test';
import { expectAccessible, open, PASSWORD, signUpVerified, tokenLink, uniqueEmail, waitForEmail } from './support';

test('a seller invites a new supplier, who signs up through the link; then the seller removes them', async ({ browser }) => {
  const sellerEmail = uniqueEmail('seller');
  const supplierEmail = uniqueEmail('supplier');
  const seller = await (await browser.newContext()).newPage();
  await signUpVerified(seller, { kind: 'seller', company: 'Acme Trading', name: 'Ann Lee', email: sellerEmail });

  await seller.getByRole('link', { name: 'Settings › User Permissions' }).click();
  const section = seller.getByRole('region', { name: 'Supply Chain Connect Permissions' });
  await expect(section.getByRole('heading', { name: 'Invite a supplier' })).toBeVisible();
  await expectAccessible(seller);
  await section.getByLabel('Company name').fill('Shenzhen Goods');
  await section.getByLabel('Contact name').fill('Li Wei');
  await section.getByLabel('Email address').fill(supplierEmail);
  await section.getByRole('button', { name: 'Send invitation' }).click();
  await expect(section.getByText('Invitation sent.')).toBeVisible();
  await expect(section.getByRole('cell', { name: /Li Wei/ })).toBeVisible();
  await expect(section.getByRole('cell', { name: 'Pending' })).toBeVisible();
  await expectAccessible(seller);

  const invitation = await waitForEmail(supplierEmail, 'Acme Trading invites you');
  expect(invitation.text).toContain('supplier');
  const supplier = await (await browser.newContext()).newPage();
  await open(supplier, tokenLink(invitation));
  await expect(supplier.getByRole('heading', { name: 'Invitation to Supply Chain Connect' })).toBeVisible();
  await expect(supplier.getByText('Ann Lee of Acme Trading invites Shenzhen Goods')).toBeVisible();
  await expectAccessible(supplier);
  await expect(supplier.getByLabel('Company name')).toHaveValue('Shenzhen Goods');
  await supplier.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await supplier.getByRole('button', { name: 'Create account and connect' }).click();

  const supplierSection = supplier.getByRole('region', { name: 'Supply Chain Connect Permissions' });
  await expect(supplierSection.getByText('Acme Trading', { exact: true })).toBeVisible();
  await expectAccessible(supplier);
  await waitForEmail(sellerEmail, 'Shenzhen Goods accepted your invitation');

  // Coming back to the tab refreshes the lists without a reload.
  await seller.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await expect(section.getByText('Shenzhen Goods', { exact: true })).toBeVisible();
  await section.getByText('History').click();
  await expect(section.getByText('Ann Lee (Acme Trading) sent the invitation')).toBeVisible();
  await expect(section.getByText('Li Wei (Shenzhen Goods) accepted the invitation')).toBeVisible();

  await section.getByText('Remove', { exact: true }).click();
  await expectAccessible(seller);
  await section.getByRole('button', { name: 'Remove connection' }).click();
  await expect(section.getByText('You are not connected to anyone yet.')).toBeVisible();
  await waitForEmail(supplierEmail, 'removed');
  await supplier.reload();
  await expect(supplierSection.getByText('You are not connected to anyone yet.')).toBeVisible();
});

test('供应商邀请已有的卖家,卖家在“用户权限”中接受', async ({ browser }) => {
  const sellerEmail = uniqueEmail('seller-zh');
  const supplierEmail = uniqueEmail('supplier-zh');
  const seller = await (await browser.newContext()).newPage();
  const supplier = await (await browser.newContext()).newPage();
  // Accounts made in English, then each switches to 简体中文 in the header.
  await signUpVerified(seller, { kind: 'seller', company: '好运贸易', name: '王芳', email: sellerEmail });
  await signUpVerified(supplier, { kind: 'supplier', company: '深圳货运', name: '李伟', email: supplierEmail });
  for (const page of [seller, supplier]) {
    await page.getByRole('button', { name: /简体中文/ }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  }

  await supplier.getByRole('link', { name: '设置 › 用户权限' }).click();
  const supplierSection = supplier.getByRole('region', { name: '供应链关联权限' });
  await expect(supplierSection.getByRole('heading', { name: '邀请卖家' })).toBeVisible();
  await expectAccessible(supplier);
  await supplierSection.getByLabel('公司名称').fill('好运贸易');
  await supplierSection.getByLabel('联系人姓名').fill('王芳');
  await supplierSection.getByLabel('电子邮件地址').fill(sellerEmail);
  await supplierSection.getByRole('button', { name: '发送邀请' }).click();
  await expect(supplierSection.getByText('邀请已发送')).toBeVisible();
  const mail = await waitForEmail(sellerEmail, '深圳货运 邀请您');
  expect(mail.text).toContain('卖家');

  await seller.getByRole('link', { name: '设置 › 用户权限' }).click();
  const sellerSection = seller.getByRole('region', { name: '供应链关联权限' });
  await expect(sellerSection.getByRole('cell', { name: /深圳货运/ })).toBeVisible();
  await expectAccessible(seller);
  await sellerSection.getByRole('button', { name: '接受' }).click();
  await expect(sellerSection.getByText('没有等待您处理的邀请。')).toBeVisible();
  await expect(sellerSection.getByText('深圳货运', { exact: true })).toBeVisible();
  await expectAccessible(seller);

  await supplier.reload();
  await expect(supplierSection.getByText('好运贸易', { exact: true })).toBeVisible();
});

test('a used invitation link shows a plain message', async ({ page }) => {
  await open(page, `/invitations/accept?token=${'ab'.repeat(32)}`);
  await expect(page.getByRole('alert')).toHaveText('This invitation is no longer valid.');
  await expectAccessible(page);
});
