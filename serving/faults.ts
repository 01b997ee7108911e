/**
 * Fault injection for the OpenAI-compatible server: latency, failures and stalls, so tests
 * and the bench can exercise retries, timeouts and cancellation against a real HTTP server.
 */
import { abortableSleep } from '../lib/llm/abortable-sleep.ts';

export interface FaultPlan {
  /** Added before every answer, in ms; a function gets the request number (from 0). */
  latencyMs?: number | ((requestIndex: number) => number);
  /** Fail this many of the next generation requests with `failStatus`. */
  failNext?: number;
  failStatus?: number;
  /** Hang this many of the next generation requests until the client gives up. */
  stallNext?: number;
  /** Probability of failing any request with `failStatus` (uses `random`). */
  failureRate?: number;
  random?: () => number;
}

export type FaultDecision = { kind: 'ok' } | { kind: 'fail'; status: number } | { kind: 'stall' };

export class FaultInjector {
  private requestIndex = 0;

  constructor(private plan: FaultPlan = {}) {}

  /** Replaces the plan; counters in it start over. */
  setPlan(plan: FaultPlan): void {
    this.plan = { ...plan };
  }

  /** Decides what happens to the next generation request, then waits out its latency. */
  async next(signal: AbortSignal): Promise<FaultDecision> {
    const index = this.requestIndex;
    this.requestIndex += 1;
    const plan = this.plan;
    const status = plan.failStatus ?? 503;
    if ((plan.stallNext ?? 0) > 0) {
      plan.stallNext = (plan.stallNext ?? 0) - 1;
      return { kind: 'stall' };
    }
    if ((plan.failNext ?? 0) > 0) {
      plan.failNext = (plan.failNext ?? 0) - 1;
      return { kind: 'fail', status };
    }
    const latency = typeof plan.latencyMs === 'function' ? plan.latencyMs(index) : plan.latencyMs;
    if (latency !== undefined && latency > 0) await abortableSleep(latency, signal);
    if (plan.failureRate !== undefined && (plan.random ?? Math.random)() < plan.failureRate) {
      return { kind: 'fail', status };
    }
    return { kind: 'ok' };
  }
}
