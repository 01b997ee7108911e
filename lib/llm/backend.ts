/**
 * The one interface every policy or teacher model is driven through: the rollout engine hands
 * it the text so far and gets the next assistant continuation back. Implementations: the
 * OpenAI-compatible HTTP backend, the local ONNX backend, and the tiny world's simulated teacher.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface SamplingOptions {
  /** 0 means greedy. */
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Generation stops after the first of these strings; the stop string is kept in the output. */
  stop: string[];
  seed?: number;
}

export interface GenerateRequest {
  /** The user prompt (instruction + question), as one chat message. */
  messages: ChatMessage[];
  /**
   * What the assistant has written so far in this episode, retrieved `<information>` blocks
   * included; the backend continues it (a completion, not a new chat turn).
   */
  assistantPrefix: string;
  sampling: SamplingOptions;
  signal?: AbortSignal;
  /** Set on an episode's later requests, so a backend can reuse work from the earlier ones. */
  episode?: EpisodeContinuation;
}

/**
 * How a request extends its episode's previous one: `assistantPrefix` is the previous
 * request's plus `added`, and the messages are the same. A backend may keep work on the
 * unchanged part (its encoded bytes) keyed weakly by `key`, and never read that part again.
 */
export interface EpisodeContinuation {
  /** Any object the caller keeps for the episode's lifetime. */
  key: object;
  /** The text appended to `assistantPrefix` since the episode's previous request. */
  added: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface GenerateResult {
  text: string;
  finishReason: 'stop' | 'length' | 'eos';
  usage: Usage;
}

export interface LlmBackend {
  /** Stable description used in comparability stamps and cache keys. */
  readonly id: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  close?(): Promise<void>;
}
