import { expect, test } from '@playwright/test';
import { expectAccessible, open, PASSWORD, signUpVerified, tokenLink, uniqueEmail, waitForEmail } from './support';

const NEW_PASSWORD = 'a brand new passphrase';

test('a user who forgot the password sets a new one from the emailed link; other browsers are signed out', async ({
  page,
  browser,
}) => {
  const email = uniqueEmail('forgot');
  await signUpVerified(page, { kind: 'seller', company: 'Forgetful Trading', name: 'Fay Forget', email });
  // `page` stays signed in: it plays the laptop left at the office.

  // A context of its own (axe needs one): another browser, with no session.
  const other = await (await browser.newContext()).newPage();
  await open(other, '/sign-in');
  await other.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(other.getByRole('heading', { name: 'Set a new password' })).toBeVisible();
  await expectAccessible(other);
  await other.getByLabel('Email address').fill(email);
  await other.getByRole('button', { name: 'Email me a link' }).click();
  await expect(other.getByRole('status')).toContainText('a link to set a new password is on its way');
  await expectAccessible(other);

  const mail = await waitForEmail(email, 'Set a new password');
  expect(mail.text).toContain('Hello Fay Forget,');
  await open(other, tokenLink(mail));
  await expect(other.getByText(`Choose a new password for ${email}.`)).toBeVisible();
  await expectAccessible(other);
  await other.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await other.getByRole('button', { name: 'Save the new password' }).click();
  await expect(other.getByRole('heading', { name: 'Welcome, Fay Forget' })).toBeVisible();
  await expect(other.getByRole('status')).toHaveText('Your new password is saved. Every other browser was signed out.');
  await waitForEmail(email, 'password was changed');

  // The laptop's session is gone on its next page.
  await open(page, '/');
  await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();

  // The link worked once.
  await open(other, tokenLink(mail));
  await expect(other.getByRole('alert')).toContainText('This link is no longer valid');

  // The old password no longer opens the account; the new one does.
  await open(page, '/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email address or the password is not right.');
  await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Fay Forget' })).toBeVisible();
  await other.close();
});

test('忘记密码:用简体中文通过邮件链接设置新密码', async ({ page }) => {
  const email = uniqueEmail('wangji');
  await signUpVerified(page, { kind: 'supplier', company: '好运贸易', name: '王记', email });
  await page.getByRole('button', { name: /简体中文/ }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByRole('heading', { name: '登录' })).toBeVisible();

  await page.getByRole('link', { name: '忘记密码?' }).click();
  await expect(page.getByRole('heading', { name: '设置新密码' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('电子邮件地址').fill(email);
  await page.getByRole('button', { name: '发送链接' }).click();
  await expect(page.getByRole('status')).toContainText('设置新密码的链接已经发出');

  const mail = await waitForEmail(email, '设置您在供应链关联的新密码');
  expect(mail.text).toContain('王记,您好');
  await open(page, tokenLink(mail));
  await expect(page.getByText(`请为 ${email} 设置新密码。`)).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('密码', { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole('button', { name: '保存新密码' }).click();
  await expect(page.getByRole('heading', { name: '欢迎,王记' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('新密码已保存。其他所有浏览器均已退出登录。');
  await waitForEmail(email, '您在供应链关联的密码已更改');
});

test.describe('before the wasm has loaded', () => {
  test.use({ javaScriptEnabled: false });

  test('asking for a link and setting the password work as plain HTML forms', async ({ page, browser }) => {
    const email = uniqueEmail('plainreset');
    const setup = await browser.newPage({ javaScriptEnabled: true });
    await signUpVerified(setup, { kind: 'seller', company: 'Plain Reset Ltd', name: 'Pam Plain', email });
    await setup.close();

    await page.goto('/forgot-password');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await expect(page.getByRole('status')).toContainText('a link to set a new password is on its way');

    const mail = await waitForEmail(email, 'Set a new password');
    await page.goto(tokenLink(mail));
    // A refused password comes back to the same page with the reason.
    await page.getByLabel('Password', { exact: true }).fill('password');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await expect(page.getByRole('alert')).toContainText('too common');
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await expect(page.getByRole('heading', { name: 'Welcome, Pam Plain' })).toBeVisible();
  });
});

test('in My account a user renames themselves, changes the password and signs out another browser', async ({
  page,
  browser,
}) => {
  const email = uniqueEmail('account');
  await signUpVerified(page, { kind: 'supplier', company: 'Bench Packers', name: 'Bo Bench', email });
  const other = await browser.newPage();
  await open(other, '/sign-in');
  await other.getByLabel('Email address').fill(email);
  await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('heading', { name: 'Welcome, Bo Bench' })).toBeVisible();

  await page.getByRole('link', { name: 'My account' }).click();
  await expect(page.getByRole('heading', { name: 'My account', level: 1 })).toBeVisible();
  await expectAccessible(page);
  await expect(page.getByRole('row')).toHaveCount(3); // the header and two sessions
  await expect(page.getByText('This browser')).toBeVisible();

  await page.getByLabel('Your name').fill('Bo Bench 薄');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  // A wrong current password is refused and changes nothing.
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('The email address or the password is not right.');

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status')).toHaveText('Your password is changed. Every other browser was signed out.');
  await expect(page.getByRole('row')).toHaveCount(2); // the header and this browser
  await expectAccessible(page);

  await open(other, '/settings/account');
  await expect(other.getByText('Please sign in to see this page.')).toBeVisible();
  await other.close();

  await open(page, '/');
  await expect(page.getByRole('heading', { name: 'Welcome, Bo Bench 薄' })).toBeVisible();
});
