/// <reference lib="dom" />
import type { ChangeEvent } from '../server/types.ts';
import { h, mount } from './dom.ts';
import { renderComparePage } from './pages/compare.ts';
import { renderLaunchPage } from './pages/launch.ts';
import { renderRunPage } from './pages/run.ts';
import { renderRunsPage } from './pages/runs.ts';
import { renderSweepsPage } from './pages/sweeps.ts';
import { renderTrajectoryPage } from './pages/trajectory.ts';
import type { Page } from './page.ts';

/**
 * The single-page UI: a hash router (`#/runs`, `#/runs/<id>`, `#/launch`, `#/compare?runs=`,
 * `#/trajectory?…`, `#/sweeps`) and one server-sent-events stream that tells the open page
 * which registry keys changed, so it refetches without a reload.
 */
const root = document.getElementById('app') as HTMLElement;
let current: Page | undefined;

function route(): void {
  const [path = '', queryString = ''] = window.location.hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(queryString);
  const parts = path.split('/').filter(Boolean);
  current?.dispose?.();
  const container = h('section', { class: 'page' });
  mount(root, container);
  document.querySelectorAll('header nav a').forEach((link) => {
    link.classList.toggle('active', link.getAttribute('href') === `#/${parts[0] ?? 'runs'}`);
  });
  const [section, id] = parts;
  if (section === 'runs' && id) current = renderRunPage(container, decodeURIComponent(id));
  else if (section === 'launch') current = renderLaunchPage(container, query);
  else if (section === 'compare') current = renderComparePage(container, query);
  else if (section === 'trajectory') current = renderTrajectoryPage(container, query);
  else if (section === 'sweeps') current = renderSweepsPage(container);
  else current = renderRunsPage(container, query);
}

function connectEvents(): void {
  const indicator = document.getElementById('live');
  const source = new EventSource('/api/events');
  source.addEventListener('hello', () => indicator?.classList.add('on'));
  source.addEventListener('error', () => indicator?.classList.remove('on'));
  source.addEventListener('change', (event) => {
    const changes = JSON.parse((event as MessageEvent<string>).data) as ChangeEvent[];
    current?.onChange?.(changes);
  });
}

window.addEventListener('hashchange', route);
route();
connectEvents();
