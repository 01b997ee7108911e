import type { GenerateRequest, GenerateResult, LlmBackend } from '../../lib/llm/backend.ts';
import { extractQuestion } from '../../lib/teacher/context.ts';
import { createSimulatedTeacher } from '../../lib/teacher/index.ts';
import { generateWorld } from '../../lib/world/generate.ts';
import { FaultInjector, type FaultPlan } from '../../serving/faults.ts';
import { createOpenAiServer, type ServerStats } from '../../serving/openai-server.ts';

/**
 * A teacher behind the project's own OpenAI-compatible server on an ephemeral loopback port:
 * the tiny world's simulated teacher (or garbage, or a failure, per question), with the
 * server's fault injection in front. Every generation that reaches the model is logged with
 * its question, so tests count backend calls per question from outside the worker.
 */

/** What the endpoint does with one request, by question. */
export type Behaviour = 'teacher' | 'garbage' | 'fail';

export interface TeacherEndpointOptions {
  /** The run's tiny world: same values as data.world.* and data.* of the launched config. */
  world: { seed?: number; passages: number; trainQuestions: number; evalPerDataset?: number };
  model: string;
  faults?: FaultPlan;
  /** Decides per call; default: always the teacher. */
  behaviour?: (call: CallInfo) => Behaviour;
}

export interface CallInfo {
  /** Normalized question text (see `normalizeQuestion`). */
  question: string;
  /** Index of the question in the world's training set; -1 when it is not one. */
  trainIndex: number;
  /** Sampling temperature: teacher-sample uses teacherSample.temperature, filter 1.2. */
  temperature: number;
}

export interface BackendCall extends CallInfo {
  behaviour: Behaviour;
}

export interface TeacherEndpoint {
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  model: string;
  /** The `teacherSample.backend=...` override that points a run at this endpoint. */
  backendSet: string;
  /** The world's training questions, normalized, in the order prepare publishes them. */
  trainQuestions: string[];
  /** Generations that reached the model behind the server, in arrival order. */
  calls: BackendCall[];
  stats: ServerStats;
  faults: FaultInjector;
  close(): Promise<void>;
}

/** Questions compare trimmed, lower-cased and without a trailing `?` (prompts may add one). */
export function normalizeQuestion(question: string): string {
  return question.trim().replace(/\?$/, '').toLowerCase();
}

/** `<|im_start|>user\n…<|im_end|>\n<|im_start|>assistant\n…`, as CHATML_TEMPLATE renders it. */
const CHATML = /^<\|im_start\|>user\n([\s\S]*?)<\|im_end\|>\n<\|im_start\|>assistant\n([\s\S]*)$/;

/**
 * The HTTP backend renders ChatML and posts `/v1/completions`; the server hands the model the
 * raw prompt. The simulated teacher reads messages, so the chat structure is restored here.
 */
function chatBackend(
  teacher: LlmBackend,
  trainIndex: (question: string) => number,
  behaviour: (call: CallInfo) => Behaviour,
  calls: BackendCall[],
): LlmBackend {
  return {
    id: `chatml(${teacher.id})`,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const match = CHATML.exec(request.assistantPrefix);
      if (!match) throw new Error('teacher endpoint: prompt is not ChatML');
      const chat: GenerateRequest = {
        ...request,
        messages: [{ role: 'user', content: match[1] as string }],
        assistantPrefix: match[2] as string,
      };
      const question = normalizeQuestion(extractQuestion(chat));
      const info = {
        question,
        trainIndex: trainIndex(question),
        temperature: request.sampling.temperature,
      };
      const kind = behaviour(info);
      calls.push({ ...info, behaviour: kind });
      if (kind === 'fail') throw new Error(`teacher overloaded on "${question}"`);
      if (kind === 'garbage') {
        const text = 'lorem ipsum dolor sit amet, no tags here at all';
        return { text, finishReason: 'eos', usage: { promptTokens: 1, completionTokens: 9 } };
      }
      return teacher.generate(chat);
    },
  };
}

/** Starts the endpoint on 127.0.0.1, port 0. */
export async function startTeacherEndpoint(
  options: TeacherEndpointOptions,
): Promise<TeacherEndpoint> {
  const { world } = options;
  const generated = generateWorld({
    seed: world.seed ?? 7,
    passages: world.passages,
    testSize: world.evalPerDataset ?? 20,
    trainSize: world.trainQuestions,
  });
  // Same seed as teacher-sample's in-process teacher (data.seed, default 13).
  const teacher = createSimulatedTeacher(generated.graph, { seed: 13 });
  const calls: BackendCall[] = [];
  const trainQuestions = generated.train.map((item) => normalizeQuestion(item.question));
  const index = new Map(trainQuestions.map((question, i) => [question, i]));
  const behaviour = options.behaviour ?? (() => 'teacher');
  const backend = chatBackend(teacher, (q) => index.get(q) ?? -1, behaviour, calls);
  const faults = new FaultInjector(options.faults ?? {});
  const server = createOpenAiServer({ backend, modelName: options.model, faults });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}/v1`;
  const backendSet = `teacherSample.backend=${JSON.stringify({ kind: 'openai', baseUrl, model: options.model })}`;
  return {
    baseUrl,
    model: options.model,
    backendSet,
    trainQuestions,
    calls,
    stats: server.stats,
    faults,
    close: () => server.app.close(),
  };
}
