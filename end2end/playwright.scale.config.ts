import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The scale-out tier (`make test-scale`): the tests start a real SurrealDB server and
// two replicas of the app themselves (scale/cluster.ts), because they kill and restart
// them; only the SMTP server (maildev) is started here.
const webServers = Array.isArray(base.webServer) ? base.webServer : [base.webServer!];

export default defineConfig({
  ...base,
  testDir: './scale',
  timeout: 240_000,
  webServer: webServers.filter((w) => w.command.includes('maildev')),
});
