import type { ChatMessage } from './backend.ts';

/** Renders chat messages plus the assistant's text so far into one raw completion prompt. */
export type ChatTemplate = (messages: ChatMessage[], assistantPrefix: string) => string;

/**
 * The ChatML layout Qwen2.5 uses (spec section 2: one user message, generation prompt added).
 * With no messages the prefix is the whole prompt: a raw `/v1/completions` request.
 */
export const CHATML_TEMPLATE: ChatTemplate = (messages, assistantPrefix) => {
  if (messages.length === 0) return assistantPrefix;
  const turns = messages.map(
    (message) => `<|im_start|>${message.role}\n${message.content}<|im_end|>\n`,
  );
  return `${turns.join('')}<|im_start|>assistant\n${assistantPrefix}`;
};

/**
 * The tiny policy's layout (trainer/rag_r1_trainer/tokenizer.py render_chat): `<|role|>\ncontent\n` per
 * message, then `<|assistant|>\n`; its BOS id comes from the checkpoint's config.json.
 */
export const TINY_POLICY_TEMPLATE: ChatTemplate = (messages, assistantPrefix) => {
  if (messages.length === 0) return assistantPrefix;
  const turns = messages.map((message) => `<|${message.role}|>\n${message.content}\n`);
  return `${turns.join('')}<|assistant|>\n${assistantPrefix}`;
};
