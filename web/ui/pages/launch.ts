/// <reference lib="dom" />
import type { FieldError, RecipeInfo, ValidationResult } from '../../server/types.ts';
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { errorBox, type Page } from '../page.ts';

type Form = {
  recipe: HTMLSelectElement;
  preset: HTMLSelectElement;
  editor: HTMLTextAreaElement;
  force: HTMLInputElement;
  errors: HTMLElement;
  plan: HTMLElement;
  launch: HTMLButtonElement;
};

type Parsed = { config: Record<string, unknown> } | { error: FieldError };

function parseEditor(form: Form): Parsed {
  try {
    const value: unknown = JSON.parse(form.editor.value || '{}');
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { error: { path: '(config)', message: 'must be a JSON object' } };
    }
    return { config: value as Record<string, unknown> };
  } catch (error) {
    return { error: { path: '(json)', message: error instanceof Error ? error.message : 'invalid JSON' } };
  }
}

function showErrors(form: Form, errors: FieldError[]): void {
  form.launch.disabled = errors.length > 0;
  if (errors.length > 0) mount(form.plan, h('h3', {}, 'Stages'), h('p', { class: 'muted' }, 'Fix the config to see which stages would be reused.'));
  form.editor.classList.toggle('invalid', errors.length > 0);
  mount(form.errors, ...errors.map((error) =>
    h('li', { class: 'field-error', 'data-path': error.path }, h('code', {}, error.path), ` ${error.message}`)));
}

function showPlan(form: Form, result: ValidationResult & { ok: true }): void {
  mount(form.plan, h('h3', {}, 'Stages'), h('ol', { class: 'cache-plan', id: 'cache-plan' },
    ...result.cachePlan.map((entry) => h('li', { class: entry.reused && !form.force.checked ? 'reused' : 'fresh' },
      h('span', { class: 'stage-name' }, entry.stage),
      h('span', { class: 'badge' }, entry.reused && !form.force.checked ? 'reused from cache' : 'will run')))));
}

async function validate(form: Form): Promise<void> {
  const parsed = parseEditor(form);
  if ('error' in parsed) {
    showErrors(form, [parsed.error]);
    return;
  }
  const { config } = parsed;
  try {
    const result = await api.post<ValidationResult>('/api/validate', {
      recipe: form.recipe.value, preset: form.preset.value || undefined, config, force: form.force.checked,
    });
    if (result.ok) {
      showErrors(form, []);
      showPlan(form, result);
    } else showErrors(form, result.errors);
  } catch (error) {
    mount(form.errors, errorBox(error));
  }
}

async function loadPreset(form: Form): Promise<void> {
  if (!form.preset.value) return;
  const config = await api.get<Record<string, unknown>>(
    `/api/recipes/${encodeURIComponent(form.recipe.value)}/presets/${encodeURIComponent(form.preset.value)}`);
  form.editor.value = JSON.stringify(config, null, 2);
  await validate(form);
}

function fillPresets(form: Form, recipes: RecipeInfo[], wanted: string | null): void {
  const info = recipes.find((recipe) => recipe.name === form.recipe.value);
  mount(form.preset, ...(info?.presets ?? []).map((name) => h('option', { value: name }, name)));
  if (wanted && info?.presets.includes(wanted)) form.preset.value = wanted;
}

async function launch(form: Form, status: HTMLElement): Promise<void> {
  const parsed = parseEditor(form);
  if ('error' in parsed) return showErrors(form, [parsed.error]);
  const { config } = parsed;
  form.launch.disabled = true;
  try {
    const result = await api.post<{ runId: string }>('/api/runs', {
      recipe: form.recipe.value, preset: form.preset.value || undefined, config, force: form.force.checked,
    });
    window.location.hash = `#/runs/${encodeURIComponent(result.runId)}`;
  } catch (error) {
    mount(status, errorBox(error));
    form.launch.disabled = false;
  }
}

/** Launch: recipe and preset, a JSON config editor validated as you type, the cache plan. */
export function renderLaunchPage(container: HTMLElement, query: URLSearchParams): Page {
  const form: Form = {
    recipe: h('select', { id: 'recipe', name: 'recipe' }),
    preset: h('select', { id: 'preset', name: 'preset' }),
    editor: h('textarea', { id: 'config-editor', spellcheck: 'false', rows: 24 }),
    force: h('input', { id: 'force', type: 'checkbox' }),
    errors: h('ul', { id: 'config-errors', class: 'errors' }),
    plan: h('div', { class: 'card', id: 'plan' }),
    launch: h('button', { id: 'launch', class: 'primary' }, 'Launch'),
  };
  const status = h('div');
  mount(container,
    h('div', { class: 'page-head' }, h('h1', {}, 'Launch a run')),
    h('div', { class: 'launch-grid' },
      h('div', {},
        h('div', { class: 'toolbar' }, h('label', {}, 'Recipe ', form.recipe), h('label', {}, 'Preset ', form.preset),
          h('label', {}, form.force, ' force (recompute cached stages)')),
        form.editor, form.errors, h('div', { class: 'toolbar' }, form.launch), status),
      form.plan));
  let debounce: number | undefined;
  form.editor.addEventListener('input', () => {
    window.clearTimeout(debounce);
    debounce = window.setTimeout(() => void validate(form), 300);
  });
  form.force.addEventListener('change', () => void validate(form));
  form.preset.addEventListener('change', () => void loadPreset(form));
  form.launch.addEventListener('click', () => void launch(form, status));
  void api.get<RecipeInfo[]>('/api/recipes').then(async (recipes) => {
    mount(form.recipe, ...recipes.map((recipe) => h('option', { value: recipe.name }, recipe.name)));
    const wanted = query.get('recipe');
    if (wanted) form.recipe.value = wanted;
    fillPresets(form, recipes, query.get('preset'));
    form.recipe.addEventListener('change', () => {
      fillPresets(form, recipes, null);
      void loadPreset(form);
    });
    await loadPreset(form);
  }).catch((error: unknown) => mount(status, errorBox(error)));
  return {};
}
