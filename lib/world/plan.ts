import { RELATIONS, fillKindWords } from './relations.ts';
import type { Entity, Fact, PlanStep, QuestionPlan, RelationId } from './schema.ts';

/** Functional lookups over the graph: (subject, relation) -> fact, and capital city -> fact. */
export class FactIndex {
  private readonly bySubject = new Map<number, Map<RelationId, number>>();
  private readonly capitalOf = new Map<number, number>();

  constructor(
    readonly entities: readonly Entity[],
    readonly facts: readonly Fact[],
  ) {
    facts.forEach((fact, index) => {
      let relations = this.bySubject.get(fact.subject);
      if (!relations) this.bySubject.set(fact.subject, (relations = new Map()));
      if (!relations.has(fact.relation)) relations.set(fact.relation, index);
      if (fact.relation === 'capital' && fact.objectEntity !== undefined)
        this.capitalOf.set(fact.objectEntity, index);
    });
  }

  fact(subject: number, relation: RelationId): number | undefined {
    return this.bySubject.get(subject)?.get(relation);
  }

  relationsOf(subject: number): [RelationId, number][] {
    return [...(this.bySubject.get(subject)?.entries() ?? [])];
  }

  /** The capital fact whose object is this city, if the city is a capital. */
  capitalFactOf(city: number): number | undefined {
    return this.capitalOf.get(city);
  }

  entity(id: number): Entity {
    const entity = this.entities[id];
    if (!entity) throw new RangeError(`no entity ${id}`);
    return entity;
  }
}

/** The entity a step starts from, and the one (or the literal) it arrives at. */
export function stepEnds(
  step: PlanStep,
  facts: readonly Fact[],
): { from: number; to: number | undefined; value: string } {
  const fact = facts[step.fact] as Fact;
  if (step.inverse) return { from: fact.objectEntity as number, to: fact.subject, value: '' };
  return { from: fact.subject, to: fact.objectEntity, value: fact.object };
}

/** The surface answer of a step: the object, or for an inverse lookup the subject's name. */
export function stepValue(step: PlanStep, index: FactIndex): string {
  const fact = index.facts[step.fact] as Fact;
  return step.inverse ? index.entity(fact.subject).name : fact.object;
}

/** The query a careful searcher writes for one step, given the name it starts from. */
export function stepQuery(step: PlanStep, fromName: string, index: FactIndex): string {
  const spec = RELATIONS[step.relation];
  const fact = index.facts[step.fact] as Fact;
  const template = step.inverse ? (spec.inverseQuery as string) : spec.query;
  return fillKindWords(template, index.entity(fact.subject)).replaceAll('{X}', fromName);
}

/** Computes a plan's answer from per-step values (used by the teacher on what it read). */
export function combineValues(
  plan: QuestionPlan,
  values: readonly (string | undefined)[],
): string | undefined {
  const combine = plan.combine;
  switch (combine.kind) {
    case 'last':
      return values[plan.steps.length - 1];
    case 'same': {
      const [a, b] = [values[combine.steps[0]], values[combine.steps[1]]];
      if (a === undefined || b === undefined) return undefined;
      return a.toLowerCase() === b.toLowerCase() ? 'yes' : 'no';
    }
    case 'earlier': {
      let best: { label: string; year: number } | undefined;
      for (const option of combine.options) {
        const year = Number(values[option.step]);
        if (!Number.isFinite(year) || values[option.step] === undefined) return undefined;
        if (!best || year < best.year) best = { label: option.label, year };
      }
      return best?.label;
    }
  }
}
