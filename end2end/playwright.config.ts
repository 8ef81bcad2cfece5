import { defineConfig } from '@playwright/test';

// The app runs from the dev build (`cargo leptos build`) on an in-memory database,
// sending real email over SMTP to maildev, whose REST API the tests read.
export const APP_PORT = 3100;
export const SMTP_PORT = 1125;
export const MAILDEV_WEB_PORT = 1180;

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    {
      command: `npx maildev --smtp ${SMTP_PORT} --web ${MAILDEV_WEB_PORT} --ip 127.0.0.1 --silent`,
      url: `http://127.0.0.1:${MAILDEV_WEB_PORT}/api/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: '../target/debug/server',
      url: `http://127.0.0.1:${APP_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        DATABASE_URL: 'mem://',
        SITE_ADDR: `127.0.0.1:${APP_PORT}`,
        SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
        LEPTOS_SITE_ROOT: '../target/site',
        LEPTOS_OUTPUT_NAME: 'supply-chain-connect',
        // Every browser of the suite signs up from 127.0.0.1, more than the default 20
        // an hour; the limit itself is under test in the server's API tests.
        SIGN_UP_LIMIT_PER_CLIENT: '1000',
        RUST_LOG: 'warn',
      },
    },
  ],
});
