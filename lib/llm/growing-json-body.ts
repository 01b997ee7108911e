/**
 * JSON request bodies whose last string value grows by appending from one request to the
 * next, as a rollout's prompt does: each turn sends the whole context again, ~20 KB by the
 * last turn of a 3-query episode. Escaping and UTF-8 encoding it from scratch every turn was
 * a large share of the driver's CPU per turn with a thousand rollouts in flight; here only the
 * text added since the episode's previous request is encoded, and the rest is never read
 * again: reading it would flatten the context (a rope built by appending) into a fresh 20-40
 * KB copy per turn, which lives as long as the request and so survives young-generation GCs.
 */
import type { EpisodeContinuation } from './backend.ts';

interface EncodedText {
  /** Length of the text, in UTF-16 code units. */
  length: number;
  /** The text JSON-escaped (no surrounding quotes), as UTF-8, one chunk per addition. */
  chunks: Buffer[];
}

/** JSON-escaped UTF-8 of `text`, without the quotes. */
function escapedBytes(text: string): Buffer {
  const json = JSON.stringify(text);
  return Buffer.from(json.slice(1, -1), 'utf8');
}

export class GrowingJsonBody {
  /** Keyed weakly by the episode, so a finished rollout's bytes go with it. */
  private readonly encoded = new WeakMap<object, EncodedText>();

  /**
   * The UTF-8 bytes of `JSON.stringify(fields)`, where the last value written in `fields` is
   * the empty string standing for `text`, and `closing` is what follows that value (`}` when it
   * is a top-level field). With `episode`, `text` is taken to be the episode's previous text
   * plus `episode.added` (the caller's contract, checked by length), and only that is encoded.
   *
   * Escaping a split string piecewise gives the same JSON value: JSON.stringify escapes only
   * whole code units, and a surrogate pair cut in two becomes two `\u` escapes that a JSON
   * parser joins again.
   */
  encode(fields: object, text: string, closing: string, episode?: EpisodeContinuation): Buffer {
    const json = JSON.stringify(fields);
    const emptyValueAndClosing = `""${closing}`;
    if (!json.endsWith(emptyValueAndClosing)) {
      throw new Error(`GrowingJsonBody: the body does not end with ${emptyValueAndClosing}`);
    }
    const head = Buffer.from(json.slice(0, json.length - emptyValueAndClosing.length + 1), 'utf8');
    // One copy into the body; the episode's chunks are kept as they are for the next turn.
    return Buffer.concat([head, ...this.textChunks(text, episode), Buffer.from(`"${closing}`)]);
  }

  private textChunks(text: string, episode: EpisodeContinuation | undefined): Buffer[] {
    if (episode === undefined) return [escapedBytes(text)];
    const previous = this.encoded.get(episode.key);
    const added = episode.added;
    let chunks: Buffer[];
    if (previous === undefined || text.length !== previous.length + added.length) {
      chunks = [escapedBytes(text)];
    } else if (added === '') {
      chunks = previous.chunks;
    } else {
      chunks = [...previous.chunks, escapedBytes(added)];
    }
    this.encoded.set(episode.key, { length: text.length, chunks });
    return chunks;
  }
}
