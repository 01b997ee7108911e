import { RELATIONS, WORK_WORDS } from './relations.ts';
import type { RelationId, ValueKind } from './schema.ts';

/** Regex sources for how each kind of value looks in a passage. */
const NAME = '[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}';
const VALUE_PATTERN: Record<ValueKind, string> = {
  person: NAME,
  city: NAME,
  country: NAME,
  org: NAME,
  work: NAME,
  year: '\\d{3,4}',
  occupation: '[a-z]+',
  language: '[A-Z][a-z]+',
};

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternatives = (key: 'verb' | 'noun' | 'yearVerb'): string =>
  `(?:${[...new Set(Object.values(WORK_WORDS).map((w) => w[key]))].join('|')})`;

/**
 * Turns a sentence template into a regex: one side fixed to a known name, the other captured.
 * Kind words match any work kind, so reading needs no knowledge of the entity.
 */
function templateRegex(template: string, fixed: 'S' | 'O', name: string, capture: string): RegExp {
  const parts = template.split(/(\{[A-Za-z]+\})/).filter((p) => p !== '');
  const source = parts
    .map((part) => {
      switch (part) {
        case `{${fixed}}`:
          return escape(name);
        case '{S}':
        case '{O}':
          return `(${capture})`;
        case '{a}':
          return '(?:a|an)';
        case '{kind}':
          return `(?:${Object.keys(WORK_WORDS).join('|')})`;
        case '{verb}':
        case '{noun}':
        case '{yearVerb}':
          return alternatives(part.slice(1, -1) as 'verb' | 'noun' | 'yearVerb');
        default:
          return escape(part);
      }
    })
    .join('');
  return new RegExp(`(?<![A-Za-z])${source}`, 'g');
}

/** A value a passage states, with the sentence that states it, exactly as the passage has it. */
export interface Evidence {
  value: string;
  sentence: string;
}

/** The passage text from the start of the sentence holding `at` through `end`. */
function sentenceAround(text: string, at: number, end: number): string {
  const boundary = text.lastIndexOf('. ', at - 1);
  return text.slice(boundary < 0 ? 0 : boundary + 2, end);
}

/** Matches of each template in order, one entry per distinct value (the first sentence wins). */
function collectEvidence(text: string, patterns: RegExp[]): Evidence[] {
  const found: Evidence[] = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const value = match[1];
      if (value === undefined || found.some((e) => e.value === value)) continue;
      const sentence = sentenceAround(text, match.index, match.index + match[0].length);
      found.push({ value, sentence });
    }
  }
  return found;
}

/**
 * Every value a passage states for `relation` of the named entity, with its sentence: the
 * object (forward), or, with `inverse`, the subject whose object is `name`.
 */
export function readRelationEvidence(
  text: string,
  relation: RelationId,
  name: string,
  inverse = false,
): Evidence[] {
  const spec = RELATIONS[relation];
  const capture = VALUE_PATTERN[inverse ? spec.subject : spec.object];
  const fixed = inverse ? 'O' : 'S';
  return collectEvidence(
    text,
    spec.sentences.map((template) => templateRegex(template, fixed, name, capture)),
  );
}

/**
 * Every value a passage states for `relation` of the named entity: the object (forward), or,
 * with `inverse`, the subject whose object is `name`. Empty when the passage does not say.
 */
export function readRelation(
  text: string,
  relation: RelationId,
  name: string,
  inverse = false,
): string[] {
  return readRelationEvidence(text, relation, name, inverse).map((e) => e.value);
}

/** Every object a passage states for a relation, whoever the subject is, with its sentence. */
export function readAnyRelationEvidence(text: string, relation: RelationId): Evidence[] {
  const spec = RELATIONS[relation];
  const patterns = spec.sentences.map((template) => {
    const source = templateRegex(template, 'S', '\u0000', VALUE_PATTERN[spec.object]).source;
    return new RegExp(source.replace(escape('\u0000'), `(?:${VALUE_PATTERN[spec.subject]})`), 'g');
  });
  return collectEvidence(text, patterns);
}

/** Every (subject, value) pair a passage states for a relation, whoever the subject is. */
export function readAnyRelation(text: string, relation: RelationId): string[] {
  return readAnyRelationEvidence(text, relation).map((e) => e.value);
}
