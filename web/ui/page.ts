/// <reference lib="dom" />
import type { ChangeEvent } from '../server/types.ts';
import { ApiError } from './api.ts';
import { h } from './dom.ts';

/** What a rendered page hands back to the router. */
export type Page = {
  /** Called with the registry keys that changed (from /api/events). */
  onChange?: (changes: ChangeEvent[]) => void;
  dispose?: () => void;
};

/** A coalescing refresher: many change events in a burst cause one refetch at a time. */
export function refresher(load: () => Promise<void>): () => void {
  let isRunning = false;
  let isQueued = false;
  const run = async (): Promise<void> => {
    if (isRunning) {
      isQueued = true;
      return;
    }
    isRunning = true;
    try {
      await load();
    } finally {
      isRunning = false;
      if (isQueued) {
        isQueued = false;
        void run();
      }
    }
  };
  return () => void run();
}

/** An error box naming what failed; validation errors list their fields. */
export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiError ? error.errors : [];
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    message,
    fields.length > 1 ? h('ul', {}, ...fields.map((f) => h('li', {}, `${f.path}: ${f.message}`))) : null,
  );
}
