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

/** What `\s` matches in a JavaScript regular expression. */
function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Approximate whitespace token count, for usage accounting only: the number of words
 * `split(/\s+/)` finds, counted in one scan because the fake model server runs it on every
 * prompt of the rollout bench and its CPU competes with the client under test.
 */
function roughTokens(text: string): number {
  let count = 0;
  let isInWord = false;
  for (let index = 0; index < text.length; index += 1) {
    const isSpace = isWhitespace(text.charCodeAt(index));
    if (!isSpace && !isInWord) count += 1;
    isInWord = !isSpace;
  }
  return count;
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
