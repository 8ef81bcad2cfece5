import { expect, test } from '@playwright/test';
import { expectAccessible, open, tokenLink, uniqueEmail, waitForEmail } from './support';

const PASSWORD = 'correct horse battery';

test('a seller signs up, verifies the email address, signs out and in again', async ({ page }) => {
  const email = uniqueEmail('seller');

  await open(page, '/');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Create account' }).first().click();

  await expect(page.getByRole('heading', { name: 'Create account' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Company name').fill('Acme Trading');
  await page.getByLabel('Your name').fill('Ann Lee');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page.getByRole('heading', { name: 'Welcome, Ann Lee' })).toBeVisible();
  await expect(page.getByText('Please verify your email address')).toBeVisible();
  await expect(page.getByRole('banner').getByText('Acme Trading')).toBeVisible();
  await expectAccessible(page);

  const mail = await waitForEmail(email, 'Verify your email address');
  expect(mail.html).toContain('Ann Lee');
  await open(page, tokenLink(mail));
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Verify email address' }).click();
  await expect(page.getByText('Your email address is verified.')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email address or the password is not right.');
  await expectAccessible(page);

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ann Lee' })).toBeVisible();
  await expect(page.getByText('Your email address is verified.')).toBeVisible();

  await page.getByRole('link', { name: 'Settings › User Permissions' }).click();
  await expect(page.getByRole('heading', { name: 'User Permissions' })).toBeVisible();
  await expect(page.getByRole('cell', { name: email })).toBeVisible();
  await expectAccessible(page);
});

test('一位供应商用简体中文注册、验证邮箱、退出并重新登录', async ({ page }) => {
  const email = uniqueEmail('supplier');

  await open(page, '/sign-up');
  await page.getByRole('button', { name: /简体中文/ }).click();
  await expect(page.getByRole('heading', { name: '创建账户' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expectAccessible(page);

  await page.getByLabel(/供应商:/).check();
  await page.getByLabel('公司名称').fill('深圳市好运贸易有限公司');
  await page.getByLabel('您的姓名').fill('王芳');
  await page.getByLabel('电子邮件地址').fill(email);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '创建账户' }).click();

  await expect(page.getByRole('heading', { name: '欢迎,王芳' })).toBeVisible();
  await expect(page.getByText('请验证您的电子邮件地址')).toBeVisible();
  await expect(page.getByText('供应商', { exact: true })).toBeVisible();
  await expectAccessible(page);

  const mail = await waitForEmail(email, '验证您在供应链关联的电子邮件地址');
  expect(mail.text).toContain('王芳,您好');
  await open(page, tokenLink(mail));
  await expect(page.getByRole('heading', { name: '验证您的电子邮件地址' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: '验证电子邮件地址' }).click();
  await expect(page.getByText('您的电子邮件地址已验证。')).toBeVisible();

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('电子邮件地址').fill(email);
  await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: '欢迎,王芳' })).toBeVisible();
});

test.describe('before the wasm has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-in works as a plain HTML form, errors included', async ({ page, browser }) => {
    const email = uniqueEmail('nojs');
    // Create the account with scripts on, then sign in with scripts off.
    const setup = await browser.newPage({ javaScriptEnabled: true });
    await open(setup, '/sign-up');
    await setup.getByLabel('Company name').fill('Plain Forms Ltd');
    await setup.getByLabel('Your name').fill('Pat Plain');
    await setup.getByLabel('Email address').fill(email);
    await setup.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await setup.getByRole('button', { name: 'Create account' }).click();
    await expect(setup.getByRole('heading', { name: 'Welcome, Pat Plain' })).toBeVisible();
    await setup.close();

    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('The email address or the password is not right.');

    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Welcome, Pat Plain' })).toBeVisible();
  });
});
