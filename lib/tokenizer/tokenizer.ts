/**
 * TypeScript port of the trainer's word-level tokenizer (trainer/rag_r1_trainer/tokenizer.py).
 * Same split (special tokens first, then the piece pattern between them), same id layout (special tokens, 256 byte tokens, learned pieces), same
 * fallbacks, so ids agree with the Python trainer; fixtures/vectors.json is checked by both.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DataError } from '../errors.ts';

/**
 * Must equal PIECE_PATTERNS in tokenizer.py; the `u` flag makes classes match code points. v2
 * keeps a JSON escape (`\n`, `\"`) one piece, so a document's first word is not `nSatos`.
 */
export const PIECE_PATTERNS = {
  'rag-r1-word-v1': ' ?[A-Za-z0-9]+| ?[^ \\t\\n\\r\\f\\vA-Za-z0-9]|\\n|[ \\t\\r\\f\\v]+',
  'rag-r1-word-v2':
    ' ?\\\\[nrt"\\\\/]| ?[A-Za-z0-9]+| ?[^ \\t\\n\\r\\f\\vA-Za-z0-9]|\\n|[ \\t\\r\\f\\v]+',
} as const;
export type TokenizerFormat = keyof typeof PIECE_PATTERNS;
export const TOKENIZER_FORMAT: TokenizerFormat = 'rag-r1-word-v2';
const CONTROL_TOKENS = new Set(['<|pad|>', '<|bos|>', '<|eos|>', '<|unk|>']);
const BYTE_COUNT = 256;

export const TokenizerFileSchema = z
  .object({
    format: z.enum(Object.keys(PIECE_PATTERNS) as [TokenizerFormat, ...TokenizerFormat[]]),
    pattern: z.string(),
    special_tokens: z.array(z.string().min(1)).min(4),
    pieces: z.array(z.string().min(1)),
  })
  .strict()
  .refine((file) => file.pattern === PIECE_PATTERNS[file.format], {
    message: 'pattern: not the shared piece pattern of this format',
    path: ['pattern'],
  });
export type TokenizerFile = z.infer<typeof TokenizerFileSchema>;

export interface DecodeOptions {
  /** Drop pad/bos/eos/unk instead of writing them literally. */
  skipSpecialTokens?: boolean;
}

export interface Tokenizer {
  readonly vocabSize: number;
  /** Ids of named special tokens (`<|eos|>`, `<think>`, ...). */
  readonly specialIds: ReadonlyMap<string, number>;
  encode(text: string): number[];
  decode(ids: number[], options?: DecodeOptions): string;
  countTokens(text: string): number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds a tokenizer from the parsed tokenizer.json content. */
export function createTokenizer(file: TokenizerFile): Tokenizer {
  const specials = file.special_tokens;
  const byteOffset = specials.length;
  const pieceOffset = byteOffset + BYTE_COUNT;
  const specialIds = new Map(specials.map((token, id) => [token, id] as const));
  const pieceIds = new Map(
    file.pieces.map((piece, index) => [piece, pieceOffset + index] as const),
  );
  const alternation = [...specials].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const specialPattern = new RegExp(alternation.join('|'), 'gu');
  const piecePattern = new RegExp(PIECE_PATTERNS[file.format], 'gu');
  const utf8 = new TextEncoder();
  const spaceId = pieceIds.get(' ');

  const encodePiece = (piece: string, out: number[]): void => {
    const known = specialIds.get(piece) ?? pieceIds.get(piece);
    if (known !== undefined) {
      out.push(known);
      return;
    }
    const rest = piece.length > 1 && piece[0] === ' ' ? pieceIds.get(piece.slice(1)) : undefined;
    if (rest !== undefined && spaceId !== undefined) {
      out.push(spaceId, rest);
      return;
    }
    for (const byte of utf8.encode(piece)) out.push(byteOffset + byte);
  };

  const encodeGap = (gap: string, out: number[]): void => {
    for (const match of gap.matchAll(piecePattern)) encodePiece(match[0], out);
  };

  // Special tokens are split out first, wherever they stand (even right after a space).
  const encode = (text: string): number[] => {
    const out: number[] = [];
    let at = 0;
    for (const match of text.matchAll(specialPattern)) {
      encodeGap(text.slice(at, match.index), out);
      encodePiece(match[0], out);
      at = match.index + match[0].length;
    }
    encodeGap(text.slice(at), out);
    return out;
  };

  const decode = (ids: number[], options: DecodeOptions = {}): string => {
    const parts: string[] = [];
    let pending: number[] = [];
    const flush = (): void => {
      if (pending.length === 0) return;
      parts.push(new TextDecoder('utf-8').decode(Uint8Array.from(pending)));
      pending = [];
    };
    for (const id of ids) {
      if (id >= byteOffset && id < pieceOffset) {
        pending.push(id - byteOffset);
        continue;
      }
      flush();
      if (id < byteOffset) {
        const token = specials[id] ?? '';
        if (!(options.skipSpecialTokens && CONTROL_TOKENS.has(token))) parts.push(token);
      } else {
        parts.push(file.pieces[id - pieceOffset] ?? '');
      }
    }
    flush();
    return parts.join('');
  };

  return {
    vocabSize: pieceOffset + file.pieces.length,
    specialIds,
    encode,
    decode,
    countTokens: (text) => encode(text).length,
  };
}

/** Reads a tokenizer.json written by `python -m rag_r1_trainer build-tokenizer`. */
export function loadTokenizer(path: string): Tokenizer {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DataError(`${path}: cannot read tokenizer file`, { cause: error });
  }
  const parsed = TokenizerFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(`${path}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return createTokenizer(parsed.data);
}
