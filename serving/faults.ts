/**
 * Fault injection for the OpenAI-compatible server: latency, failures and stalls, so tests
 * and the bench can exercise retries, timeouts and cancellation against a real HTTP server.
 */
import { abortableSleep } from '../lib/llm/abortable-sleep.ts';

export interface FaultPlan {
  /**
   * Time from a request's arrival to its answer, in ms; a function gets the request number
   * (from 0). The server's own parsing counts toward it, as a real server's tokenizing does.
   */
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

  /**
   * Decides what happens to the next generation request, then waits out what is left of its
   * latency once `elapsedMs` (already spent on the request since it arrived) is taken off.
   */
  async next(signal: AbortSignal, elapsedMs = 0): Promise<FaultDecision> {
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
    const remainingMs = (latency ?? 0) - elapsedMs;
    if (remainingMs > 0) await abortableSleep(remainingMs, signal);
    if (plan.failureRate !== undefined && (plan.random ?? Math.random)() < plan.failureRate) {
      return { kind: 'fail', status };
    }
    return { kind: 'ok' };
  }
}
