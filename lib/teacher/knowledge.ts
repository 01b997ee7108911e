import { OCCUPATIONS } from '../world/graph.ts';
import { FactIndex } from '../world/plan.ts';
import { hashString, Rng } from '../world/random.ts';
import { RELATIONS, fillKindWords } from '../world/relations.ts';
import type { Entity, EntityKind, Fact, RelationId, WorldGraph } from '../world/schema.ts';

/**
 * What the simulated teacher "knows" without searching: it can look entities up by name and
 * recall facts about them, well for popular entities and poorly for the long tail, and it holds
 * a few firm misconceptions. It also knows how to phrase steps and queries.
 */
export class TeacherKnowledge {
  readonly index: FactIndex;
  private readonly byName = new Map<string, Entity>();
  private readonly byKind = new Map<EntityKind, Entity[]>();
  private readonly languages: string[];

  constructor(
    readonly world: WorldGraph,
    private readonly misconceptionRate: number,
  ) {
    this.index = new FactIndex(world.entities, world.facts);
    for (const entity of world.entities) {
      this.byName.set(entity.name.toLowerCase(), entity);
      const list = this.byKind.get(entity.kind);
      if (list) list.push(entity);
      else this.byKind.set(entity.kind, [entity]);
    }
    this.languages = [
      ...new Set(world.facts.filter((f) => f.relation === 'language').map((f) => f.object)),
    ];
  }

  entityNamed(name: string | undefined): Entity | undefined {
    return name === undefined ? undefined : this.byName.get(name.toLowerCase());
  }

  /** The fact behind (subject, relation), read forward or, for an inverse step, backward. */
  factFor(subjectName: string, relation: RelationId, inverse: boolean): Fact | undefined {
    const entity = this.entityNamed(subjectName);
    if (!entity) return undefined;
    const index = inverse
      ? this.index.capitalFactOf(entity.id)
      : this.index.fact(entity.id, relation);
    return index === undefined ? undefined : this.index.facts[index];
  }

  truth(subjectName: string, relation: RelationId, inverse: boolean): string | undefined {
    const fact = this.factFor(subjectName, relation, inverse);
    if (!fact) return undefined;
    return inverse ? this.index.entity(fact.subject).name : fact.object;
  }

  /** A plausible wrong value of the right kind (another city, a nearby year, ...). */
  wrongValue(relation: RelationId, inverse: boolean, rng: Rng, avoid: string | undefined): string {
    const spec = RELATIONS[relation];
    const kind = inverse ? spec.subject : spec.object;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      let value: string;
      if (kind === 'year')
        value = String(Number(avoid ?? 1900) + (rng.chance(0.5) ? 1 : -1) * (1 + rng.int(30)));
      else if (kind === 'occupation') value = rng.pick(OCCUPATIONS);
      else if (kind === 'language') value = rng.pick(this.languages);
      else value = rng.pick(this.byKind.get(kind) ?? []).name;
      if (value !== avoid) return value;
    }
    return avoid ?? '';
  }

  /** A firmly held wrong belief about this fact, if the teacher has one. */
  misconception(subjectName: string, relation: RelationId, inverse: boolean): string | undefined {
    const truth = this.truth(subjectName, relation, inverse);
    if (truth === undefined) return undefined;
    const key = `${subjectName}|${relation}|${inverse}`;
    if (hashString(key, this.world.seed) / 4294967296 >= this.misconceptionRate) return undefined;
    // Fixed per fact, not per sample: the same wrong belief every time it comes up.
    return this.wrongValue(relation, inverse, Rng.derive(this.world.seed, `belief:${key}`), truth);
  }

  /** Recall without searching: right with a chance that grows with the subject's popularity. */
  recall(subjectName: string, relation: RelationId, inverse: boolean, rng: Rng): string {
    const truth = this.truth(subjectName, relation, inverse);
    const belief = this.misconception(subjectName, relation, inverse);
    if (belief !== undefined) return belief;
    const popularity = this.entityNamed(subjectName)?.popularity ?? 0;
    if (truth !== undefined && rng.chance(0.1 + 0.65 * popularity)) return truth;
    return this.wrongValue(relation, inverse, rng, truth);
  }

  /** "the director of Moren Vask": the step in words. */
  describe(relation: RelationId, inverse: boolean, subjectName: string): string {
    const spec = RELATIONS[relation];
    const template = inverse ? (spec.inversePhrase as string) : (spec.phrases[0] as string);
    return this.fill(template, subjectName);
  }

  /** The well-formed search query for a step. */
  query(relation: RelationId, inverse: boolean, subjectName: string): string {
    const spec = RELATIONS[relation];
    return this.fill(inverse ? (spec.inverseQuery as string) : spec.query, subjectName);
  }

  private fill(template: string, subjectName: string): string {
    // An unknown name (a misread one) still gets kind words, as a person would guess them.
    const subject = this.entityNamed(subjectName) ?? UNKNOWN_WORK;
    return fillKindWords(template, subject).replaceAll('{X}', subjectName);
  }
}

const UNKNOWN_WORK: Entity = {
  id: -1,
  kind: 'work',
  name: '',
  aliases: [],
  subkind: 'novel',
  popularity: 0,
};
