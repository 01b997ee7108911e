import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getRecipe } from '../../lib/recipes/index.ts';
import { rawRequest } from '../../web/server/testing/raw-request.ts';
import { openBrowser, screenshot, type Browser } from './support/browser.ts';
import { seedEvalResults } from './support/eval-fixture.ts';
import { startPlatform, type Platform } from './support/platform.ts';

/**
 * The web UI end to end on the local stack: headless Chromium signs in, launches a tiny
 * files-demo run (the fast recipe, named explicitly: rag-r1 is the default) and watches it
 * complete through live updates, cancels a long run, resumes a failed one, compares two runs,
 * opens a trajectory diff and manages a sweep. Screenshots of every page go to
 * tests/screenshots/.
 */
const RECIPE = 'files-demo';
const CLI = new URL('../../bin/rag-r1.js', import.meta.url).pathname;
const RUN_TIMEOUT = 240_000;
let platform: Platform;
let browser: Browser;
let page: Page;
let scratch: string;
const runIds: { completed?: string; resumed?: string; failed?: string } = {};

beforeAll(async () => {
  platform = await startPlatform();
  browser = await openBrowser();
  page = browser.page;
  page.on('dialog', (dialog) => void dialog.accept());
  scratch = mkdtempSync(join(tmpdir(), 'rag-r1-e2e-'));
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page) {
    await screenshot(page, `failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
  }
});

async function openLaunch(): Promise<Record<string, unknown>> {
  await page.goto(`${platform.web.url}/#/launch?recipe=${RECIPE}&preset=tiny`);
  await page.waitForFunction(() => (document.querySelector('#config-editor') as HTMLTextAreaElement | null)?.value.includes('{'));
  return JSON.parse(await page.inputValue('#config-editor')) as Record<string, unknown>;
}

/** Launches `config` from the launch page; returns the new run's id from the URL. */
async function launch(config: Record<string, unknown>): Promise<string> {
  await openLaunch();
  await page.fill('#config-editor', JSON.stringify(config, null, 2));
  await page.waitForSelector('#cache-plan li');
  await page.waitForFunction(() => !(document.querySelector('#launch') as HTMLButtonElement).disabled);
  await page.click('#launch');
  await page.waitForURL(/#\/runs\/r[0-9a-z]+$/);
  return decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
}

async function waitForStatus(status: string, timeout = RUN_TIMEOUT): Promise<void> {
  await page.waitForSelector(`#run-status[data-status="${status}"]`, { timeout });
}

/** The config hash `rag-r1 run --plan` gives for this config file (no launch, no services). */
function cliConfigHash(config: Record<string, unknown>): string {
  const file = join(scratch, 'cli-config.json');
  writeFileSync(file, JSON.stringify(config));
  const out = execFileSync(process.execPath, [CLI, 'run', '--recipe', RECIPE, '--preset', 'tiny', '--config', file, '--plan', '--json'], { encoding: 'utf8' });
  return (JSON.parse(out) as { configHash: string }).configHash;
}

function tinyConfig(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...base, ...overrides };
}

describe('web UI end to end', () => {
  it('refuses the UI and the API without the token, then signs in', async () => {
    const api = await rawRequest({ url: platform.web.url, path: '/api/runs', method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    await page.goto(platform.web.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', 'not-the-token');
    await page.click('#login-submit');
    await page.waitForSelector('#login-error');
    await screenshot(page, '01-login');
    await page.fill('#token', platform.token);
    await page.click('#login-submit');
    await page.waitForSelector('h1:has-text("Runs")');
    const cookieNames = await page.evaluate(() => document.cookie);
    expect(cookieNames).toBe('');
  });

  it('shows inline validation errors naming the field and the cache plan', async () => {
    const base = await openLaunch();
    await page.fill('#config-editor', JSON.stringify({ ...base, generate: { records: -5, wordsPerRecord: 12 }, colour: 'red' }));
    await page.waitForSelector('.field-error[data-path="generate.records"]');
    await page.waitForSelector('.field-error[data-path="colour"]');
    expect(await page.isDisabled('#launch')).toBe(true);
    await screenshot(page, '02-launch-invalid');
    await page.fill('#config-editor', JSON.stringify(base, null, 2));
    await page.waitForSelector('#cache-plan li');
    expect(await page.locator('#cache-plan li').count()).toBe(4);
    await screenshot(page, '03-launch');
  });

  it('offers rag-r1 first and plans its stages by default', async () => {
    await page.goto(`${platform.web.url}/#/launch`);
    await page.waitForSelector('#cache-plan li');
    const recipes = await page.locator('#recipe option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(recipes).toEqual(['rag-r1', 'files-demo']);
    expect(await page.inputValue('#recipe')).toBe('rag-r1');
    expect(await page.locator('#cache-plan li').count()).toBe(getRecipe('rag-r1').stages.length);
    await screenshot(page, '03b-launch-rag-r1');
  });

  it('launches a tiny run and watches it complete without reloading', async () => {
    const base = await openLaunch();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const config = tinyConfig(base, { seed: 101, generate: { records: 400, wordsPerRecord: 8 } });
    runIds.completed = await launch(config);
    // Same config, same experiment as `rag-r1 run`: the key is the CLI's config hash.
    const run = await platform.database.db.run.findUniqueOrThrow({ where: { id: runIds.completed }, include: { experiment: true } });
    expect(run.experiment.configHash).toBe(cliConfigHash(config));
    await waitForStatus('COMPLETED');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(await page.locator('.stage[data-status="COMPLETED"]').count()).toBe(4);
    await page.waitForSelector('#artifacts a[href^="/api/artifacts/"]');
    await screenshot(page, '04-run-completed');
    const href = await page.getAttribute('#artifacts a[href^="/api/artifacts/"]', 'href');
    const download = await page.request.get(`${platform.web.url}${href}`);
    expect(download.status()).toBe(200);
    expect((await download.body()).length).toBeGreaterThan(0);
  });

  it('cancels a long run', async () => {
    const base = await openLaunch();
    await launch(tinyConfig(base, { seed: 202, generate: { records: 40_000, wordsPerRecord: 8 }, transform: { shards: 2, rounds: 20_000, checkpointEvery: 500 } }));
    await page.waitForSelector('.stage[data-stage="transform"][data-status="RUNNING"]', { timeout: RUN_TIMEOUT });
    await screenshot(page, '05-run-running');
    await page.click('#cancel-run');
    await waitForStatus('CANCELLED');
    await screenshot(page, '06-run-cancelled');
  });

  it('resumes a failed run, reusing its completed stages', async () => {
    const base = await openLaunch();
    const switchFile = join(scratch, 'fail-transform');
    writeFileSync(switchFile, 'fail while this exists');
    runIds.failed = await launch(tinyConfig(base, {
      seed: 303,
      generate: { records: 300, wordsPerRecord: 8 },
      faults: { stage: 'transform', atRecord: 3, whileFileExists: switchFile },
    }));
    await waitForStatus('FAILED');
    await screenshot(page, '07-run-failed');
    rmSync(switchFile);
    expect(existsSync(switchFile)).toBe(false);
    await page.click('#resume-run');
    await page.waitForURL((url) => !url.hash.endsWith(runIds.failed ?? ''));
    runIds.resumed = decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
    await waitForStatus('COMPLETED');
    expect(await page.locator('.stage[data-stage="generate"] .badge', { hasText: 'cached' }).count()).toBe(1);
    await screenshot(page, '08-run-resumed');
  });

  it('lists runs with filters and search', async () => {
    await page.goto(`${platform.web.url}/#/runs`);
    await page.waitForSelector('#runs-table');
    expect(await page.locator('#runs-table tbody tr').count()).toBe(4);
    await page.selectOption('#filter-status', 'COMPLETED');
    await page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 2);
    await page.selectOption('#filter-status', '');
    await page.fill('#filter-search', runIds.failed ?? '');
    await page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 1);
    await page.fill('#filter-search', '');
    await page.waitForFunction(() => document.querySelectorAll('#runs-table tbody tr').length === 4);
    await screenshot(page, '09-runs');
  });

  it('compares two runs and opens a trajectory diff from a metric cell', async () => {
    const [a, b] = [runIds.completed ?? '', runIds.resumed ?? ''];
    await seedEvalResults(platform.database.db, platform.store, [{ runId: a, skill: 0.25 }, { runId: b, skill: 0.75, topK: 5 }]);
    await page.goto(`${platform.web.url}/#/compare?runs=${a},${b}`);
    await page.waitForSelector('#compare-table tbody tr');
    expect(await page.locator('#compare-table tbody tr').count()).toBe(2);
    expect(await page.locator('#compare-table tfoot tr').count()).toBe(1);
    // Paired bootstrap: 1 of 4 vs 3 of 4 right on the same questions, delta +0.5 with p-values.
    const delta = await page.locator('#compare-table tbody tr').first().locator('.delta').innerText();
    expect(delta).toMatch(/Δ \+0\.500 \[.*\] p=.* \(Holm .*\) · 4 paired/);
    expect(await page.locator('#interval-method').innerText()).toContain('paired bootstrap');
    expect(await page.locator('#stamp-warnings').innerText()).toContain('topK');
    await page.waitForSelector('#config-diff');
    expect(await page.locator('#config-diff').innerText()).toContain('seed');
    await screenshot(page, '10-compare');
    await page.locator('#compare-table tbody tr').first().locator('a.metric-cell').nth(1).click();
    await page.waitForSelector('#trajectory-sides .trajectory[data-run]');
    expect(new URL(page.url()).hash).toContain('method=ppo');
    expect(await page.locator('#trajectory-sides .trajectory[data-run]').count()).toBe(2);
    expect(await page.inputValue('#method-select')).toBe('ppo');
    expect(await page.locator('.turn-search').count()).toBeGreaterThan(0);
    expect(await page.locator('.turn-documents').count()).toBeGreaterThan(0);
    await screenshot(page, '11-trajectory');
  });

  it('creates, pauses, resumes and deletes a sweep', async () => {
    await page.goto(`${platform.web.url}/#/sweeps`);
    await page.waitForSelector('#sweep-form');
    await page.waitForSelector(`#sweep-runs option[value="${runIds.resumed}"]`, { state: 'attached' });
    await page.fill('#sweep-name', 'nightly-e2e');
    await page.selectOption('#sweep-runs', [runIds.resumed ?? '']);
    await page.click('#sweep-create');
    await page.waitForSelector('[data-sweep="nightly-e2e"][data-paused="false"]');
    const sweep = await platform.database.db.schedule.findUniqueOrThrow({ where: { name: 'nightly-e2e' } });
    for (const skill of [0.25, 0.5, 0.75]) {
      await seedEvalResults(platform.database.db, platform.store, [{ runId: runIds.resumed ?? '', skill, scheduleId: sweep.id }]);
    }
    await page.click('[data-sweep="nightly-e2e"] .sweep-pause');
    await page.waitForSelector('[data-sweep="nightly-e2e"][data-paused="true"]');
    await page.click('[data-sweep="nightly-e2e"] .sweep-resume');
    await page.waitForSelector('[data-sweep="nightly-e2e"][data-paused="false"] .legend span');
    expect(await page.locator('[data-sweep="nightly-e2e"] code').innerText()).toBe('cron 0 3 * * *');
    await page.click('[data-sweep="nightly-e2e"] .sweep-trigger');
    await expect.poll(async () => {
      await page.reload();
      return page.locator('[data-sweep="nightly-e2e"]').innerText();
    }, { timeout: 30_000, interval: 1_000 }).toMatch(/[1-9]\d* executions? \(/);
    await screenshot(page, '12-sweeps');
    await page.click('[data-sweep="nightly-e2e"] .sweep-delete');
    await page.waitForSelector('[data-sweep="nightly-e2e"]', { state: 'detached' });
    expect(await platform.database.db.schedule.count()).toBe(0);
  });

  it('refuses path traversal on artifact download', async () => {
    const headers = { authorization: `Bearer ${platform.token}` };
    for (const path of ['/api/artifacts/..%2f..%2fetc%2fpasswd', '/api/artifacts/%2e%2e%2fartifacts', `/api/artifacts/${'a'.repeat(64)}%2f..%2f..`]) {
      const response = await rawRequest({ url: platform.web.url, path, headers });
      expect([400, 404]).toContain(response.status);
    }
  });
});
