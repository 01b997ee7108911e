import type { Rng } from '../world/random.ts';
import type { Evidence } from '../world/reader.ts';
import { readAnyRelationEvidence, readRelationEvidence } from '../world/reader.ts';
import type { PlanStep, QuestionPlan } from '../world/schema.ts';
import type { TeacherContext } from './context.ts';
import type { TeacherKnowledge } from './knowledge.ts';
import type { ResolvedTeacherOptions } from './options.ts';

/** What the teacher believes after reading everything retrieved so far. */
export interface ReadState {
  values: (string | undefined)[];
  /** The round each value was read in (-1: not read). */
  readAt: number[];
  /**
   * The sentence each value was read from, as the document has it: the misread one for a
   * misread; undefined when the value came from a misconception, not from the document.
   */
  evidence: (string | undefined)[];
  failures: number[];
}

/** The name a step starts from: given in the question, or the value an earlier step found. */
export function subjectName(
  step: PlanStep,
  state: ReadState,
  knowledge: TeacherKnowledge,
): string | undefined {
  if ('entity' in step.from) return knowledge.index.entity(step.from.entity).name;
  return state.values[step.from.step];
}

export function readySteps(
  plan: QuestionPlan,
  state: ReadState,
  knowledge: TeacherKnowledge,
): number[] {
  return plan.steps
    .map((step, i) => ({ step, i }))
    .filter(
      ({ step, i }) =>
        state.values[i] === undefined && subjectName(step, state, knowledge) !== undefined,
    )
    .map(({ i }) => i);
}

interface ReplayOptions {
  plan: QuestionPlan;
  context: TeacherContext;
  knowledge: TeacherKnowledge;
  options: ResolvedTeacherOptions;
  temperatureScale: (rate: number) => number;
  rng: (label: string) => Rng;
}

/**
 * Re-reads every `<information>` block in order. Randomness is keyed on (round, step), so a
 * later turn re-derives exactly what earlier turns read: the episode stays self-consistent
 * without the teacher keeping any state between calls.
 */
export function replayReading({
  plan,
  context,
  knowledge,
  options,
  temperatureScale,
  rng,
}: ReplayOptions): ReadState {
  const state: ReadState = {
    values: plan.steps.map(() => undefined),
    readAt: plan.steps.map(() => -1),
    evidence: plan.steps.map(() => undefined),
    failures: plan.steps.map(() => 0),
  };
  context.rounds.forEach((round, roundIndex) => {
    const texts = round.docsPerQuery.flat().map((doc) => doc.text);
    const ready = readySteps(plan, state, knowledge);
    const mentioned = ready.filter((i) => {
      const name = subjectName(plan.steps[i] as PlanStep, state, knowledge)?.toLowerCase() ?? '';
      return round.queries.some((q) => q.toLowerCase().includes(name));
    });
    const targeted = mentioned.length > 0 ? mentioned : ready.slice(0, 1);
    for (const i of ready) {
      const step = plan.steps[i] as PlanStep;
      const name = subjectName(step, state, knowledge) as string;
      const found = texts.flatMap((text) =>
        readRelationEvidence(text, step.relation, name, step.inverse),
      );
      if (found.length === 0) {
        if (targeted.includes(i)) state.failures[i] = (state.failures[i] ?? 0) + 1;
        continue;
      }
      const draw = rng(`read:${roundIndex}:${i}`);
      const first = found[0] as Evidence;
      let value = first.value;
      let evidence: string | undefined = first.sentence;
      const belief = knowledge.misconception(name, step.relation, step.inverse);
      if (belief !== undefined && draw.chance(options.misconceptionStrength)) {
        value = belief;
        evidence = undefined;
      } else if (draw.chance(temperatureScale(options.misreadRate))) {
        const others = texts
          .flatMap((text) => readAnyRelationEvidence(text, step.relation))
          .filter((e) => e.value !== value);
        if (others.length > 0) {
          value = draw.pick(others.map((e) => e.value));
          evidence = others.find((e) => e.value === value)?.sentence;
        }
      }
      state.values[i] = value;
      state.readAt[i] = roundIndex;
      state.evidence[i] = evidence;
    }
  });
  return state;
}
