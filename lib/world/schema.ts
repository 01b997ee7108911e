/**
 * The tiny world's knowledge graph and question plans. Everything here is plain JSON so the
 * graph can be written to `world.json` and read back by the simulated teacher and the tests.
 */

export const ENTITY_KINDS = ['person', 'city', 'country', 'org', 'work'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** Value kinds a relation can point at: another entity, or a literal of some form. */
export type ValueKind = EntityKind | 'year' | 'occupation' | 'language';

export const RELATION_IDS = [
  'born_in',
  'birth_year',
  'occupation',
  'employer',
  'spouse',
  'father',
  'city_country',
  'city_founded',
  'capital',
  'language',
  'founder',
  'headquarters',
  'org_founded',
  'creator',
  'work_year',
] as const;
export type RelationId = (typeof RELATION_IDS)[number];

export interface Entity {
  id: number;
  kind: EntityKind;
  name: string;
  /** Other names the entity goes by; extra gold answers. */
  aliases: string[];
  /** Sub-kind: organization type (company, university...) or work type (novel, film...). */
  subkind?: string;
  /** In (0, 1]: how often the world talks about it; drives passages and teacher memory. */
  popularity: number;
}

export interface Fact {
  subject: number;
  relation: RelationId;
  /** An entity id when the relation's object is an entity, else undefined. */
  objectEntity?: number;
  /** The surface form of the object (entity name, year, occupation word, language). */
  object: string;
}

/** One lookup of a question plan: the relation applied to a known entity or a prior result. */
export interface PlanStep {
  relation: RelationId;
  /** Look up the subject given the object (e.g. "the country whose capital is X"). */
  inverse: boolean;
  /** The entity the step starts from: named in the question, or found by an earlier step. */
  from: { entity: number } | { step: number };
  /** Index into `WorldGraph.facts` of the fact this step reads (ground truth). */
  fact: number;
}

export type PlanCombine =
  | { kind: 'last' }
  | { kind: 'earlier'; options: { label: string; step: number }[] }
  | { kind: 'same'; steps: [number, number] };

export interface QuestionPlan {
  steps: PlanStep[];
  combine: PlanCombine;
  answer: string;
}

export interface WorldGraph {
  seed: number;
  entities: Entity[];
  facts: Fact[];
  /** For each fact index, the ids of the passages that state it. */
  support: string[][];
  /** Question text to its plan, for every generated question (tests and training pool). */
  questions: Record<string, QuestionPlan>;
}
