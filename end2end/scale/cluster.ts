import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SMTP_PORT } from '../playwright.config';

/**
 * The scale-out topology on one machine: a real SurrealDB server (file engine, private
 * port, 127.0.0.1 only) and two stateless replicas of the app against it, each its own
 * process on its own port, as a load balancer would have them.
 */
export const SURREAL_PORT = 8411;
export const REPLICAS = { a: 3201, b: 3202 } as const;
export type Replica = keyof typeof REPLICAS;

const surrealBin = process.env.SURREAL_BIN!;
const dataDir = mkdtempSync(join(tmpdir(), 'scc-scale-'));
const password = randomBytes(16).toString('hex');
const passwordFile = join(dataDir, 'db-password');
writeFileSync(passwordFile, password, { mode: 0o600 });

let surreal: ChildProcess | undefined;
const replicas: Partial<Record<Replica, ChildProcess>> = {};

export const urlOf = (r: Replica) => `http://127.0.0.1:${REPLICAS[r]}`;

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`);
}

function logTo(name: string, child: ChildProcess) {
  child.stderr?.on('data', (d) => process.env.SCALE_LOG && process.stderr.write(`[${name}] ${d}`));
  child.stdout?.on('data', (d) => process.env.SCALE_LOG && process.stdout.write(`[${name}] ${d}`));
}

export async function startSurreal() {
  surreal = spawn(
    surrealBin,
    ['start', '--bind', `127.0.0.1:${SURREAL_PORT}`, '--username', 'root', '--password', password,
      '--no-banner', `surrealkv://${join(dataDir, 'db')}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  logTo('surreal', surreal);
  await waitUntil('SurrealDB', async () => (await fetch(`http://127.0.0.1:${SURREAL_PORT}/health`)).ok);
}

/** kill -9: no chance to flush or say goodbye. */
export async function killSurreal() {
  await kill(surreal);
  surreal = undefined;
}

export async function startReplica(r: Replica) {
  const child = spawn('../target/debug/server', [], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      SITE_ADDR: `127.0.0.1:${REPLICAS[r]}`,
      DATABASE_URL: `ws://127.0.0.1:${SURREAL_PORT}`,
      DATABASE_USER: 'root',
      DATABASE_PASSWORD_FILE: passwordFile,
      DATABASE_NAMESPACE: 'scc',
      DATABASE_NAME: 'scale',
      SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
      MAIL_LEASE_SECONDS: '5',
      LEPTOS_SITE_ROOT: '../target/site',
      LEPTOS_OUTPUT_NAME: 'supply-chain-connect',
      RUST_LOG: process.env.SCALE_LOG ?? 'warn',
    },
  });
  logTo(`replica ${r}`, child);
  replicas[r] = child;
  await waitHealthy(r);
}

export async function waitHealthy(r: Replica, timeoutMs = 60_000) {
  await waitUntil(`replica ${r}`, async () => (await fetch(`${urlOf(r)}/healthz`)).ok, timeoutMs);
}

export async function killReplica(r: Replica) {
  await kill(replicas[r]);
  delete replicas[r];
}

async function kill(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

export async function stopAll() {
  await Promise.all([killReplica('a'), killReplica('b'), killSurreal()]);
}
