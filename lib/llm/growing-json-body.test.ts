import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../random.ts';
import { GrowingJsonBody } from './growing-json-body.ts';

/** Code units a prompt can hold, escapes and surrogates included. */
const ALPHABET = ['a', 'Z', ' ', '\n', '"', '\\', '\u0001', '\u007f', 'é', '中', '😀', '\ud800'];

function randomText(random: () => number, length: number): string {
  let text = '';
  while (text.length < length) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return text;
}

describe('GrowingJsonBody', () => {
  it('encodes a growing prompt turn by turn into the JSON a full encode gives', () => {
    const random = createSeededRandom(7);
    const bodies = new GrowingJsonBody();
    for (let episodeIndex = 0; episodeIndex < 200; episodeIndex += 1) {
      const key = {};
      let prompt = '';
      for (let turn = 0; turn < 5; turn += 1) {
        // Random cut points split surrogate pairs and escapes between turns.
        const added = randomText(random, Math.floor(random() * 40));
        prompt += added;
        const fields = { model: 'm', stop: ['</search>'], prompt: '' };
        const body = bodies.encode(fields, prompt, '}', { key, added: turn === 0 ? '' : added });
        expect(JSON.parse(body.toString('utf8'))).toEqual({ ...fields, prompt });
      }
    }
  });

  it('gives byte-identical bodies when no surrogate pair is cut between turns', () => {
    const bodies = new GrowingJsonBody();
    const key = {};
    const turns = [
      '<think>a "quoted" é</think>\n',
      '<information>\n{"q": "中"}\n😀',
      '</information>',
    ];
    let prompt = 'You are…\n';
    for (const added of turns) {
      prompt += added;
      const body = bodies.encode({ n: 1, prompt: '' }, prompt, '}', { key, added });
      expect(body.equals(Buffer.from(JSON.stringify({ n: 1, prompt })))).toBe(true);
    }
  });

  it('encodes afresh when the length says the text does not extend the previous one', () => {
    const bodies = new GrowingJsonBody();
    const key = {};
    bodies.encode({ prompt: '' }, 'first turn text', '}', { key, added: '' });
    const body = bodies.encode({ prompt: '' }, 'something else', '}', { key, added: 'x' });
    expect(JSON.parse(body.toString())).toEqual({ prompt: 'something else' });
  });

  it('splices the text into a nested last value (a chat message)', () => {
    const bodies = new GrowingJsonBody();
    const fields = {
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: '' },
      ],
    };
    const body = bodies.encode(fields, 'so "far"', '}]}');
    expect(JSON.parse(body.toString()).messages[1]).toEqual({
      role: 'assistant',
      content: 'so "far"',
    });
  });

  it('refuses fields whose last value is not the empty placeholder', () => {
    const bodies = new GrowingJsonBody();
    expect(() => bodies.encode({ prompt: 'x' }, 'text', '}')).toThrow(/does not end with ""}/);
  });
});
