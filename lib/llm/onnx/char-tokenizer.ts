/**
 * The character-level tokenizer of the test fixture (`"type": "char-fixture"` in
 * tokenizer.json). Real checkpoints use the trainer's tokenizer (lib/tokenizer).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../../errors.ts';
import type { CausalTokenizer } from './checkpoint.ts';

const CharTokenizerFileSchema = z
  .object({
    type: z.literal('char-fixture'),
    vocab: z.array(z.string()),
    pad_token_id: z.number().int(),
    eos_token_id: z.number().int(),
    unk_token_id: z.number().int(),
  })
  .strict();

/** Loads a char-fixture tokenizer.json; special tokens decode to nothing. */
export async function loadCharTokenizer(path: string): Promise<CausalTokenizer> {
  const parsed = CharTokenizerFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new ConfigError(`${path}: not a char-fixture tokenizer`);
  const { vocab, unk_token_id: unk } = parsed.data;
  const specials = new Set([parsed.data.pad_token_id, parsed.data.eos_token_id, unk]);
  const ids = new Map<string, number>();
  vocab.forEach((piece, id) => {
    if (!specials.has(id)) ids.set(piece, id);
  });
  return {
    encode: (text) => [...text].map((char) => ids.get(char) ?? unk),
    decode: (tokenIds) =>
      tokenIds.map((id) => (specials.has(id) ? '' : (vocab[id] ?? ''))).join(''),
  };
}
