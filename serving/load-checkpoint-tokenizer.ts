/**
 * Reads a checkpoint's tokenizer.json in either format the lab writes: the trainer's
 * word-level tokenizer (trainer/rag_r1_trainer/tokenizer.py, ported in lib/tokenizer) or the
 * char fixture of lib/llm/onnx's tests. Anything else fails naming the file, what it holds and
 * what was expected.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../lib/errors.ts';
import { loadCharTokenizer } from '../lib/llm/onnx/char-tokenizer.ts';
import type { CausalTokenizer } from '../lib/llm/onnx/checkpoint.ts';
import { loadTokenizer, PIECE_PATTERNS } from '../lib/tokenizer/tokenizer.ts';

/** `rag-r1-word`: a trainer tokenizer (the tiny policy); `char-fixture`: the test fixture. */
export type CheckpointTokenizerKind = 'rag-r1-word' | 'char-fixture';

export interface CheckpointTokenizer {
  kind: CheckpointTokenizerKind;
  tokenizer: CausalTokenizer;
}

const TRAINER_FORMATS = Object.keys(PIECE_PATTERNS);
const EXPECTED =
  `expected a trainer tokenizer ("format": ${TRAINER_FORMATS.map((name) => `"${name}"`).join(' or ')})` +
  ' or the test fixture ("type": "char-fixture")';

/** Opens `path`; trainer tokenizers decode without pad/bos/eos/unk (the trainer's skip_special). */
export async function loadCheckpointTokenizer(path: string): Promise<CheckpointTokenizer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read the tokenizer file`, { cause: error });
  }
  let head: unknown;
  try {
    head = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path}: the tokenizer file is not JSON; ${EXPECTED}`, {
      cause: error,
    });
  }
  const fields = (typeof head === 'object' && head !== null ? head : {}) as Record<string, unknown>;
  if (typeof fields.format === 'string' && TRAINER_FORMATS.includes(fields.format)) {
    const tokenizer = loadTokenizer(path);
    return {
      kind: 'rag-r1-word',
      tokenizer: {
        encode: (text) => tokenizer.encode(text),
        decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
      },
    };
  }
  if (fields.type === 'char-fixture') {
    return { kind: 'char-fixture', tokenizer: await loadCharTokenizer(path) };
  }
  throw new ConfigError(`${path}: unknown tokenizer format: found ${describe(head)}; ${EXPECTED}`);
}

/** What the file holds, in a few words, for the error message. */
function describe(head: unknown): string {
  if (typeof head !== 'object' || head === null || Array.isArray(head)) {
    return `a JSON ${Array.isArray(head) ? 'array' : head === null ? 'null' : typeof head}`;
  }
  const fields = head as Record<string, unknown>;
  if (fields.format !== undefined) return `"format": ${JSON.stringify(fields.format)}`;
  const model = fields.model as { type?: unknown } | undefined;
  if (typeof model === 'object' && model !== null && typeof model.type === 'string') {
    return `a Hugging Face tokenizers file ("model.type": "${model.type}")`;
  }
  if (fields.type !== undefined) return `"type": ${JSON.stringify(fields.type)}`;
  const keys = Object.keys(fields).slice(0, 8);
  return `no "format" or "type" field (keys: ${keys.join(', ') || 'none'})`;
}
