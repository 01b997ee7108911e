/**
 * A deterministic LlmBackend for tests, benchmarks and the fake model server: a script
 * function writes each turn; stop strings, latency and cancellation behave like a real backend.
 */
import { abortableSleep } from './abortable-sleep.ts';
import type { GenerateRequest, GenerateResult, LlmBackend } from './backend.ts';
import { cutAtStop } from './stop-sequences.ts';

export interface ScriptedBackendOptions {
  id?: string;
  /** The raw continuation for this request; it is cut at the first stop string. */
  respond: (request: GenerateRequest, callIndex: number) => string;
  /** Simulated generation time per call, in milliseconds. */
  latencyMs?: number | ((request: GenerateRequest) => number);
}

/** Approximate whitespace token count, for usage accounting only. */
function roughTokens(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

export class ScriptedBackend implements LlmBackend {
  readonly id: string;
  private calls = 0;

  constructor(private readonly options: ScriptedBackendOptions) {
    this.id = options.id ?? 'scripted';
  }

  /** How many generate calls were made. */
  get callCount(): number {
    return this.calls;
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const callIndex = this.calls;
    this.calls += 1;
    const latency = this.options.latencyMs;
    const ms = typeof latency === 'function' ? latency(request) : (latency ?? 0);
    if (ms > 0 || request.signal) await abortableSleep(ms, request.signal);
    const raw = this.options.respond(request, callIndex);
    const cut = cutAtStop(raw, request.sampling.stop);
    const text = cut ? cut.text : raw;
    const prompt = request.messages.map((message) => message.content).join('\n');
    return {
      text,
      finishReason: cut ? 'stop' : 'eos',
      usage: {
        promptTokens: roughTokens(prompt + request.assistantPrefix),
        completionTokens: roughTokens(text),
      },
    };
  }
}
