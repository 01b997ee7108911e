import type { AgentMode } from '../agent/prompts.ts';

/**
 * The methods one evaluate stage scores, all through the same code path. `naive` and
 * `standard-rag` are the paper's "Direct inference" and "Standard RAG" rows (spec section 7),
 * run with the SFT policy; `sft` and `ppo` run the agent loop; `sq`/`mq` run the PPO policy
 * in the other search mode.
 */
export const EVAL_METHODS = ['naive', 'standard-rag', 'sft', 'ppo', 'sq', 'mq'] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];

/** How a method produces an answer: one direct generation, retrieve-once, or the agent loop. */
export type MethodKind = 'direct' | 'rag-once' | 'agent';

export interface MethodPlan {
  method: EvalMethod;
  checkpoint: 'sft' | 'ppo';
  kind: MethodKind;
  mode: AgentMode;
}

/** The final policy plus the listed baselines; a mode equal to the policy's own is skipped. */
export function planMethods(baselines: readonly EvalMethod[], agentMode: AgentMode): MethodPlan[] {
  const plans: MethodPlan[] = [
    { method: 'ppo', checkpoint: 'ppo', kind: 'agent', mode: agentMode },
  ];
  for (const method of new Set(baselines)) {
    switch (method) {
      case 'naive':
        plans.push({ method, checkpoint: 'sft', kind: 'direct', mode: agentMode });
        break;
      case 'standard-rag':
        plans.push({ method, checkpoint: 'sft', kind: 'rag-once', mode: agentMode });
        break;
      case 'sft':
        plans.push({ method, checkpoint: 'sft', kind: 'agent', mode: agentMode });
        break;
      case 'ppo':
        break;
      case 'sq':
      case 'mq':
        if (method !== agentMode)
          plans.push({ method, checkpoint: 'ppo', kind: 'agent', mode: method });
        break;
      default: {
        const unreachable: never = method;
        throw new Error(`unknown method ${String(unreachable)}`);
      }
    }
  }
  return plans;
}
