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
  const spec = RELATIONS[relation];
  const capture = VALUE_PATTERN[inverse ? spec.subject : spec.object];
  const found: string[] = [];
  for (const template of spec.sentences) {
    for (const match of text.matchAll(
      templateRegex(template, inverse ? 'O' : 'S', name, capture),
    )) {
      if (match[1] !== undefined && !found.includes(match[1])) found.push(match[1]);
    }
  }
  return found;
}

/** Every (subject, value) pair a passage states for a relation, whoever the subject is. */
export function readAnyRelation(text: string, relation: RelationId): string[] {
  const spec = RELATIONS[relation];
  const found: string[] = [];
  for (const template of spec.sentences) {
    const source = templateRegex(
      template,
      'S',
      '\u0000',
      VALUE_PATTERN[spec.object],
    ).source.replace(escape('\u0000'), `(?:${VALUE_PATTERN[spec.subject]})`);
    for (const match of text.matchAll(new RegExp(source, 'g'))) {
      if (match[1] !== undefined && !found.includes(match[1])) found.push(match[1]);
    }
  }
  return found;
}
