import type { Entity, EntityKind, RelationId, ValueKind } from './schema.ts';

/**
 * How each relation is stated in passages, asked in questions, nested in multi-hop questions
 * and searched for. `{S}` is the subject, `{O}` the object, `{X}` the (possibly nested)
 * subject phrase. Work relations take their verb and noun from the work's kind.
 */
export interface RelationSpec {
  id: RelationId;
  subject: EntityKind;
  object: ValueKind;
  sentences: string[];
  questions: string[];
  /** Noun phrases naming the object, for nesting: "the birthplace of {X}". */
  phrases: string[];
  /** The teacher's well-formed search query. */
  query: string;
  /** For relations that are one-to-one both ways: phrase and query for the reverse lookup. */
  inversePhrase?: string;
  inverseQuery?: string;
}

export const WORK_WORDS: Record<string, { verb: string; noun: string; yearVerb: string }> = {
  novel: { verb: 'written', noun: 'author', yearVerb: 'published' },
  film: { verb: 'directed', noun: 'director', yearVerb: 'released' },
  song: { verb: 'composed', noun: 'composer', yearVerb: 'released' },
  painting: { verb: 'painted', noun: 'painter', yearVerb: 'painted' },
};

const SPECS: RelationSpec[] = [
  {
    id: 'born_in',
    subject: 'person',
    object: 'city',
    sentences: [
      '{S} was born in {O}.',
      '{S} is a native of {O}.',
      '{S} was born in the city of {O}.',
    ],
    questions: ['Where was {X} born?', 'In which city was {X} born?'],
    phrases: ['the birthplace of {X}', 'the city where {X} was born'],
    query: 'where was {X} born',
  },
  {
    id: 'birth_year',
    subject: 'person',
    object: 'year',
    sentences: ['{S} was born in the year {O}.', 'The birth year of {S} is {O}.'],
    questions: ['When was {X} born?', 'In what year was {X} born?'],
    phrases: ['the birth year of {X}'],
    query: 'birth year of {X}',
  },
  {
    id: 'occupation',
    subject: 'person',
    object: 'occupation',
    sentences: ['{S} worked as {a} {O}.', '{S} was {a} {O} by trade.'],
    questions: ["What is {X}'s occupation?", 'What did {X} do for a living?'],
    phrases: ['the occupation of {X}'],
    query: 'occupation of {X}',
  },
  {
    id: 'employer',
    subject: 'person',
    object: 'org',
    sentences: ['{S} worked for {O}.', '{S} was employed by {O}.'],
    questions: ['Which organization did {X} work for?', 'Who employed {X}?'],
    phrases: ['the employer of {X}', 'the organization {X} worked for'],
    query: 'who employed {X}',
  },
  {
    id: 'spouse',
    subject: 'person',
    object: 'person',
    sentences: ['{S} was married to {O}.', '{S} married {O}.'],
    questions: ['Who was {X} married to?', 'Who is the spouse of {X}?'],
    phrases: ['the spouse of {X}'],
    query: 'spouse of {X}',
  },
  {
    id: 'father',
    subject: 'person',
    object: 'person',
    sentences: ['The father of {S} was {O}.', '{S} was the child of {O}.'],
    questions: ['Who was the father of {X}?', 'Who is the father of {X}?'],
    phrases: ['the father of {X}'],
    query: 'father of {X}',
  },
  {
    id: 'city_country',
    subject: 'city',
    object: 'country',
    sentences: ['{S} is a city in {O}.', '{S} lies in the country of {O}.'],
    questions: ['In which country is {X}?', 'Which country is {X} in?'],
    phrases: ['the country of {X}'],
    query: 'country of {X}',
  },
  {
    id: 'city_founded',
    subject: 'city',
    object: 'year',
    sentences: ['{S} was founded in {O}.', 'The city of {S} was established in {O}.'],
    questions: ['When was {X} founded?', 'In what year was {X} founded?'],
    phrases: ['the founding year of {X}'],
    query: 'when was {X} founded',
  },
  {
    id: 'capital',
    subject: 'country',
    object: 'city',
    sentences: ['The capital of {S} is {O}.', '{O} is the capital of {S}.'],
    questions: ['What is the capital of {X}?'],
    phrases: ['the capital of {X}'],
    query: 'capital of {X}',
    inversePhrase: 'the country whose capital is {X}',
    inverseQuery: '{X} is the capital of',
  },
  {
    id: 'language',
    subject: 'country',
    object: 'language',
    sentences: ['People in {S} speak {O}.', 'The main language of {S} is {O}.'],
    questions: ['What language is spoken in {X}?'],
    phrases: ['the language of {X}'],
    query: 'language of {X}',
  },
  {
    id: 'founder',
    subject: 'org',
    object: 'person',
    sentences: ['{S} was founded by {O}.', '{O} founded {S}.'],
    questions: ['Who founded {X}?', 'Who was the founder of {X}?'],
    phrases: ['the founder of {X}'],
    query: 'founder of {X}',
  },
  {
    id: 'headquarters',
    subject: 'org',
    object: 'city',
    sentences: ['{S} is based in {O}.', 'The headquarters of {S} are in {O}.'],
    questions: ['Where is {X} based?', 'In which city is {X} based?'],
    phrases: ['the city where {X} is based'],
    query: 'where is {X} based',
  },
  {
    id: 'org_founded',
    subject: 'org',
    object: 'year',
    sentences: ['{S} was founded in {O}.', '{S} was established in {O}.'],
    questions: ['When was {X} founded?', 'In what year was {X} founded?'],
    phrases: ['the founding year of {X}'],
    query: 'when was {X} founded',
  },
  {
    id: 'creator',
    subject: 'work',
    object: 'person',
    sentences: ['{S} is {a} {kind} {verb} by {O}.', '{S} was {verb} by {O}.'],
    questions: ['Who was the {noun} of {X}?', 'Who is the {noun} of {X}?'],
    phrases: ['the {noun} of {X}'],
    query: '{noun} of {X}',
  },
  {
    id: 'work_year',
    subject: 'work',
    object: 'year',
    sentences: ['{S} was {yearVerb} in {O}.', 'The {kind} {S} came out in {O}.'],
    questions: ['When was {X} {yearVerb}?', 'In what year was {X} {yearVerb}?'],
    phrases: ['the year {X} came out'],
    query: 'when was {X} {yearVerb}',
  },
];

export const RELATIONS: Readonly<Record<RelationId, RelationSpec>> = Object.fromEntries(
  SPECS.map((spec) => [spec.id, spec]),
) as Record<RelationId, RelationSpec>;

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/** Fills `{kind}`, `{verb}`, `{noun}`, `{yearVerb}` from the subject entity's sub-kind. */
export function fillKindWords(template: string, subject: Entity | undefined): string {
  const kind = subject?.subkind ?? '';
  const words = WORK_WORDS[kind] ?? { verb: '', noun: '', yearVerb: '' };
  return template
    .replaceAll('{kind}', kind)
    .replaceAll('{verb}', words.verb)
    .replaceAll('{noun}', words.noun)
    .replaceAll('{yearVerb}', words.yearVerb);
}

/** Renders one fact sentence; `{a}` becomes the article that fits the word after it. */
export function renderSentence(template: string, subject: Entity, object: string): string {
  const filled = fillKindWords(template, subject)
    .replaceAll('{S}', subject.name)
    .replaceAll('{O}', object);
  return filled.replace(/\{a\} (\w+)/g, (_, word: string) => `${article(word)} ${word}`);
}
