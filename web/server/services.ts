import type { Env } from '../../lib/env.ts';
import type { WebServices } from './service-types.ts';

export function createServices(_env: Env): WebServices {
  throw new Error('not yet');
}
