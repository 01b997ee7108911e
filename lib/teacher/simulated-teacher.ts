import type { GenerateRequest, GenerateResult, LlmBackend } from '../llm/backend.ts';
import { combineValues } from '../world/plan.ts';
import { hashString, Rng } from '../world/random.ts';
import type { PlanStep, QuestionPlan, WorldGraph } from '../world/schema.ts';
import { parseTeacherContext, type TeacherContext } from './context.ts';
import { TeacherKnowledge } from './knowledge.ts';
import {
  SimulatedTeacherOptionsSchema,
  tempered,
  type ResolvedTeacherOptions,
  type SimulatedTeacherOptions,
} from './options.ts';
import { readySteps, replayReading, subjectName, type ReadState } from './replay.ts';
import { describeLearned, joinList, summary } from './think.ts';

/**
 * A SIMULATOR of the teacher model (Qwen2.5-72B-Instruct in the paper), for the tiny world
 * only. It plans with the world graph (it "knows" how each generated question decomposes),
 * but reads facts only from the documents actually present in `assistantPrefix`, and makes
 * tunable, realistic mistakes: weak queries, stopping early, misreading, answering from
 * (popularity-dependent, sometimes wrong) memory. Deterministic given (options.seed, request,
 * sampling.seed, temperature); give each rollout of a question its own sampling.seed.
 */
export function createSimulatedTeacher(
  world: WorldGraph,
  input: SimulatedTeacherOptions = {},
): LlmBackend {
  const options = SimulatedTeacherOptionsSchema.parse(input);
  const knowledge = new TeacherKnowledge(world, options.misconceptionRate);
  const plans = new Map(
    Object.entries(world.questions).map(([q, plan]) => [normalizeQuestion(q), plan]),
  );
  const id = `simulated-teacher:world-${world.seed}:${hashString(JSON.stringify(options)).toString(16)}`;
  return {
    id,
    generate(request: GenerateRequest): Promise<GenerateResult> {
      request.signal?.throwIfAborted();
      const context = parseTeacherContext(request, options.mode);
      const plan = plans.get(normalizeQuestion(context.question));
      const text = plan
        ? nextStep({ plan, context, knowledge, options, request })
        : unknownQuestionStep(context);
      const promptWords =
        request.messages.reduce((n, m) => n + countWords(m.content), 0) +
        countWords(request.assistantPrefix);
      return Promise.resolve({
        text,
        finishReason: 'stop',
        usage: { promptTokens: promptWords, completionTokens: countWords(text) },
      });
    },
  };
}

const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length;
const normalizeQuestion = (q: string): string => q.trim().replace(/\?$/, '').toLowerCase();

interface StepInput {
  plan: QuestionPlan;
  context: TeacherContext;
  knowledge: TeacherKnowledge;
  options: ResolvedTeacherOptions;
  request: GenerateRequest;
}

/**
 * Decides and writes the next assistant step: one think block and one action. Actions are
 * written as the prompt's own examples show them (`<search> query </search>`, `<answer> Beijing
 * </answer>`): with spaces, a word-level tokenizer gives the answer the same token (" Satos") as
 * the documents and the think text, so a small policy can copy it instead of having to map
 * " Satos" to "Satos" entity by entity.
 */
function nextStep({ plan, context, knowledge, options, request }: StepInput): string {
  const { temperature, seed } = request.sampling;
  const episode = hashString(
    `${context.mode}|${normalizeQuestion(context.question)}|${temperature}`,
    (options.seed ^ (seed ?? 0)) >>> 0,
  );
  const rng = (label: string): Rng => Rng.derive(episode, label);
  const scale = (rate: number): number => tempered(rate * options.errorScale, temperature);
  const state = replayReading({ plan, context, knowledge, options, temperatureScale: scale, rng });
  const turn = rng(`turn:${context.rounds.length}`);
  const learned = describeLearned({
    plan,
    state,
    knowledge,
    round: context.rounds.length - 1,
    style: options.thinkStyle,
  });
  if (
    context.rounds.length === 0 &&
    context.searches === 0 &&
    turn.chance(scale(options.memoryAnswerRate))
  ) {
    const answer = answerFromMemory(plan, state, knowledge, turn);
    return `<think>I already know this: ${answer.reasons}. I will answer without searching.</think>\n<answer> ${answer.value} </answer>`;
  }
  const resolved = combineValues(plan, state.values);
  if (resolved !== undefined) {
    const allFresh = state.readAt.every((round) => round === context.rounds.length - 1);
    const recap = allFresh ? '' : summary(plan, state, knowledge);
    return `<think>${learned}${recap}So the answer is ${resolved}.</think>\n<answer> ${resolved} </answer>`;
  }
  const stuck =
    state.failures.some((f) => f >= options.maxRetriesPerStep) ||
    context.searches >= options.maxSearches;
  const anyRead = state.values.some((v) => v !== undefined);
  if (stuck || (anyRead && turn.chance(scale(options.stopEarlyRate)))) {
    const answer = stuck
      ? answerFromMemory(plan, state, knowledge, turn)
      : stopEarly(plan, state, knowledge, turn);
    return `<think>${learned}I could not find everything, but ${answer.reasons}. I will answer with that.</think>\n<answer> ${answer.value} </answer>`;
  }
  return searchStep({ plan, context, knowledge, options, state, turn, scale, learned });
}

interface SearchInput {
  plan: QuestionPlan;
  context: TeacherContext;
  knowledge: TeacherKnowledge;
  options: ResolvedTeacherOptions;
  state: ReadState;
  turn: Rng;
  scale: (rate: number) => number;
  learned: string;
}

function searchStep({
  plan,
  context,
  knowledge,
  options,
  state,
  turn,
  scale,
  learned,
}: SearchInput): string {
  const ready = readySteps(plan, state, knowledge);
  const targets = context.mode === 'sq' ? ready.slice(0, 1) : ready.slice(0, 3);
  const queries: string[] = [];
  const wanted: string[] = [];
  for (const i of targets) {
    const step = plan.steps[i] as PlanStep;
    const name = subjectName(step, state, knowledge) as string;
    wanted.push(knowledge.describe(step.relation, step.inverse, name));
    const good = knowledge.query(step.relation, step.inverse, name);
    if (!turn.chance(scale(options.weakQueryRate))) {
      queries.push(good);
      continue;
    }
    queries.push(weakQuery(good, name, context.question, turn));
    if (context.mode === 'mq' && targets.length < 3 && turn.chance(options.mqVariantRate))
      queries.push(good);
  }
  const retry =
    state.failures.some((f) => f > 0) && !learned
      ? 'The last results did not answer it, so I will search again. '
      : '';
  const need = `I need to find ${joinList(wanted)}.`;
  return `<think>${learned}${retry}${need}</think>\n<search> ${queries.slice(0, 3).join(', ')} </search>`;
}

/** A query that loses the entity: only its first name, no name at all, or the raw question. */
function weakQuery(good: string, name: string, question: string, rng: Rng): string {
  const roll = rng.int(3);
  if (roll === 0) return good.replace(name, name.split(' ')[0] ?? name);
  if (roll === 1) return good.replace(name, 'it');
  // Commas would split an mq search into pieces; people searching a raw question drop them.
  return question.replace(/\?$/, '').replace(/,/g, '');
}

/** Fills every missing step from memory, in order (a wrong recall propagates, as it would). */
function answerFromMemory(
  plan: QuestionPlan,
  state: ReadState,
  knowledge: TeacherKnowledge,
  rng: Rng,
): { value: string; reasons: string } {
  const values = [...state.values];
  const reasons: string[] = [];
  plan.steps.forEach((step, i) => {
    if (values[i] !== undefined) return;
    const name =
      'entity' in step.from
        ? knowledge.index.entity(step.from.entity).name
        : values[step.from.step];
    if (name === undefined) return;
    values[i] = knowledge.recall(name, step.relation, step.inverse, rng);
    reasons.push(`${knowledge.describe(step.relation, step.inverse, name)} is ${values[i]}`);
  });
  const value = combineValues(plan, values) ?? values.find((v) => v !== undefined) ?? 'unknown';
  return {
    value,
    reasons: reasons.length > 0 ? `I recall that ${joinList(reasons)}` : 'I have what I need',
  };
}

/** Stops before the last hop: answers with the latest value read, or guesses the rest. */
function stopEarly(
  plan: QuestionPlan,
  state: ReadState,
  knowledge: TeacherKnowledge,
  rng: Rng,
): { value: string; reasons: string } {
  if (plan.combine.kind === 'last' && rng.chance(0.5)) {
    const latest = [...state.values].reverse().find((v) => v !== undefined) as string;
    return { value: latest, reasons: `${latest} looks like the answer` };
  }
  return answerFromMemory(plan, state, knowledge, rng);
}

/** A question outside the world's index: search it as written once, then answer from the top title. */
function unknownQuestionStep(context: TeacherContext): string {
  const first = context.rounds[0]?.docsPerQuery[0]?.[0];
  if (!first)
    return `<think>I should look this up.</think>\n<search> ${context.question.replace(/\?$/, '')} </search>`;
  return `<think>The best match is ${first.title}.</think>\n<answer> ${first.title} </answer>`;
}
