/**
 * The bench's fake policy: searches `searches` times with `queriesPerSearch` queries each,
 * then answers. It reads its turn number off the context, so it is stateless per request.
 */
import type { GenerateRequest } from '../../lib/llm/backend.ts';

export interface ScriptedPolicyOptions {
  searches: number;
  queriesPerSearch: number;
}

/** The raw continuation for one request (the server cuts it at the stop string). */
export function scriptedPolicy(
  options: ScriptedPolicyOptions,
): (request: GenerateRequest) => string {
  return (request) => {
    // The instructions mention the tag too; only observation blocks sit on lines of their own.
    const turn = request.assistantPrefix.split('\n<information>\n').length - 1;
    if (turn >= options.searches) {
      return '<think>The documents name the author.</think>\n<answer> William Shakespeare </answer>';
    }
    const queries = Array.from(
      { length: options.queriesPerSearch },
      (_, index) => `hop ${turn + 1} aspect ${index + 1} of the question`,
    );
    return `<think>I need hop ${turn + 1}.</think>\n<search> ${queries.join(', ')} </search>\nstray text`;
  };
}
