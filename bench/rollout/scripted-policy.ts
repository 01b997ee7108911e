/**
 * The bench's fake policy: searches `searches` times with `queriesPerSearch` queries each,
 * then answers. It reads its turn number off the context, so it is stateless per request.
 */
import type { GenerateRequest } from '../../lib/llm/backend.ts';

export interface ScriptedPolicyOptions {
  searches: number;
  queriesPerSearch: number;
}

const OBSERVATION_OPENING = '\n<information>\n';

/**
 * Observation blocks in the context so far. The instructions mention the tag too; only
 * observation blocks sit on lines of their own. An indexOf walk rather than `split`: the
 * fake server shares the bench's CPU, so its per-request work must stay small.
 */
function countObservations(context: string): number {
  let count = 0;
  for (let at = context.indexOf(OBSERVATION_OPENING); at >= 0; count += 1) {
    at = context.indexOf(OBSERVATION_OPENING, at + OBSERVATION_OPENING.length);
  }
  return count;
}

/** The raw continuation for one request (the server cuts it at the stop string). */
export function scriptedPolicy(
  options: ScriptedPolicyOptions,
): (request: GenerateRequest) => string {
  // Precomputed: a turn's continuation depends only on the turn number.
  const searches = Array.from({ length: options.searches }, (_, turn) => {
    const queries = Array.from(
      { length: options.queriesPerSearch },
      (_, index) => `hop ${turn + 1} aspect ${index + 1} of the question`,
    );
    return `<think>I need hop ${turn + 1}.</think>\n<search> ${queries.join(', ')} </search>\nstray text`;
  });
  const answer =
    '<think>The documents name the author.</think>\n<answer> William Shakespeare </answer>';
  return (request) => searches[countObservations(request.assistantPrefix)] ?? answer;
}
