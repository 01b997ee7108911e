import type { StagePlan } from './types.ts';

/** Minimal shape the graph helpers need, so definitions and plans share them. */
interface GraphNode {
  name: string;
  inputs: string[];
}

/**
 * Orders stages so every stage comes after its inputs (stable: keeps the given order where the
 * graph allows). Throws naming the stage on a duplicate name, unknown input or cycle.
 */
export function topologicalOrder<T extends GraphNode>(stages: readonly T[]): T[] {
  const byName = new Map<string, T>();
  for (const stage of stages) {
    if (byName.has(stage.name)) throw new Error(`stage graph: duplicate stage "${stage.name}"`);
    byName.set(stage.name, stage);
  }
  for (const stage of stages) {
    for (const input of stage.inputs) {
      if (!byName.has(input)) {
        throw new Error(`stage graph: stage "${stage.name}" reads unknown stage "${input}"`);
      }
    }
  }
  const ordered: T[] = [];
  const placed = new Set<string>();
  while (ordered.length < stages.length) {
    const next = stages.find(
      (stage) => !placed.has(stage.name) && stage.inputs.every((input) => placed.has(input)),
    );
    if (!next) {
      const stuck = stages.filter((stage) => !placed.has(stage.name)).map((stage) => stage.name);
      throw new Error(`stage graph: cycle among ${stuck.join(', ')}`);
    }
    placed.add(next.name);
    ordered.push(next);
  }
  return ordered;
}

/** Stages not yet started whose inputs are all complete: they can run now, in parallel. */
export function readyStages(
  stages: readonly StagePlan[],
  completed: ReadonlySet<string>,
  started: ReadonlySet<string>,
): StagePlan[] {
  return stages.filter(
    (stage) =>
      !started.has(stage.name) &&
      !completed.has(stage.name) &&
      stage.inputs.every((input) => completed.has(input)),
  );
}

/** The stages downstream of `name` (transitively), in plan order. */
export function downstreamOf(stages: readonly StagePlan[], name: string): string[] {
  const affected = new Set([name]);
  for (const stage of stages) {
    if (stage.inputs.some((input) => affected.has(input))) affected.add(stage.name);
  }
  affected.delete(name);
  return stages.filter((stage) => affected.has(stage.name)).map((stage) => stage.name);
}
