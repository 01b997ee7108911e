import type { DatasetName, QaItem } from '../qa/types.ts';
import { Rng } from './random.ts';
import { FactIndex } from './plan.ts';
import {
  bridgeComparisonDraft,
  chainDraft,
  earlierDraft,
  inferenceDraft,
  sameDraft,
  type DraftQuestion,
} from './question-builders.ts';
import type { Entity, EntityKind, Fact, QuestionPlan } from './schema.ts';

/** Which entities a benchmark asks about: popular heads, the long tail, or anyone. */
type Skew = 'popular' | 'tail' | 'uniform';

/** The shape each benchmark-like set imitates, recorded in every row's metadata. */
export const BENCHMARK_SHAPES: Record<DatasetName | 'train', string> = {
  nq: 'single-hop factoid about well-known entities, lowercase search-style question',
  triviaqa: 'single-hop quiz question ("Name the ..."), several gold aliases',
  popqa: 'single-hop relation question skewed to long-tail (unpopular) subjects',
  hotpotqa: 'two-hop: bridge (60%) and comparison (40%)',
  '2wikimultihopqa': 'compositional, inference, comparison and bridge-comparison (2-4 hops)',
  musique: 'chains of 2, 3 and 4 hops',
  bamboogle:
    'hard compositional two-hop about long-tail entities, some starting from a reverse lookup',
  train: 'HotpotQA-like training pool: single-hop (40%), bridge (40%), comparison (20%)',
};

interface Ctx {
  rng: Rng;
  index: FactIndex;
  support: string[][];
  byKind: Map<EntityKind, Entity[]>;
  /** Weighted tables are built once per skew and kind; rebuilding per draw is O(entities). */
  tables: Map<string, { items: Entity[]; cumulative: number[] }>;
}

function picker(ctx: Ctx, skew: Skew): (kind: EntityKind) => Entity {
  const weight = (e: Entity): number =>
    skew === 'popular' ? e.popularity ** 1.5 : skew === 'tail' ? (1.05 - e.popularity) ** 3 : 1;
  return (kind) => {
    let table = ctx.tables.get(`${skew}:${kind}`);
    if (!table) {
      const items = ctx.byKind.get(kind) ?? [];
      let total = 0;
      table = { items, cumulative: items.map((e) => (total += weight(e))) };
      ctx.tables.set(`${skew}:${kind}`, table);
    }
    const target = ctx.rng.next() * (table.cumulative[table.cumulative.length - 1] ?? 0);
    let [lo, hi] = [0, table.items.length - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((table.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return table.items[lo] as Entity;
  };
}

const START_KINDS: EntityKind[] = ['person', 'person', 'work', 'org', 'city', 'country'];
const lowerSearchStyle = (q: string): string =>
  (q.charAt(0).toLowerCase() + q.slice(1)).replace(/\?$/, '');

/** Draws one question of a benchmark's shape (undefined when a random draw dead-ends). */
function draw(ctx: Ctx, name: DatasetName | 'train'): DraftQuestion | undefined {
  const { rng, index } = ctx;
  const start = (skew: Skew): Entity => picker(ctx, skew)(rng.pick(START_KINDS));
  const roll = rng.next();
  switch (name) {
    case 'nq': {
      const d = chainDraft(rng, index, start('popular'), { hops: 1, type: 'single_hop' });
      return d && { ...d, question: lowerSearchStyle(d.question) };
    }
    case 'triviaqa':
      return chainDraft(rng, index, start('popular'), {
        hops: 1,
        type: 'single_hop',
        style: 'quiz',
      });
    case 'popqa':
      return chainDraft(rng, index, start('tail'), { hops: 1, type: 'single_hop' });
    case 'hotpotqa':
      if (roll < 0.6) return chainDraft(rng, index, start('uniform'), { hops: 2, type: 'bridge' });
      return roll < 0.85
        ? earlierDraft(rng, index, picker(ctx, 'uniform'))
        : sameDraft(rng, index, ctx.byKind.get('person') ?? [], picker(ctx, 'uniform'));
    case '2wikimultihopqa':
      if (roll < 0.3)
        return chainDraft(rng, index, start('uniform'), { hops: 2, type: 'compositional' });
      if (roll < 0.5) return inferenceDraft(rng, index, picker(ctx, 'uniform')('person'));
      if (roll < 0.75) return earlierDraft(rng, index, picker(ctx, 'uniform'));
      return bridgeComparisonDraft(rng, index, picker(ctx, 'uniform'));
    case 'musique': {
      const hops = roll < 0.4 ? 2 : roll < 0.75 ? 3 : 4;
      return chainDraft(rng, index, start('uniform'), { hops, type: `${hops}hop` });
    }
    case 'bamboogle':
      if (roll < 0.3)
        return chainDraft(rng, index, picker(ctx, 'tail')('city'), {
          hops: 2,
          inverseFirst: true,
          type: 'compositional',
        });
      return chainDraft(rng, index, start('tail'), { hops: 2, type: 'compositional' });
    case 'train':
      if (roll < 0.4)
        return chainDraft(rng, index, start('uniform'), { hops: 1, type: 'single_hop' });
      if (roll < 0.8) return chainDraft(rng, index, start('uniform'), { hops: 2, type: 'bridge' });
      return roll < 0.92
        ? earlierDraft(rng, index, picker(ctx, 'uniform'))
        : sameDraft(rng, index, ctx.byKind.get('person') ?? [], picker(ctx, 'uniform'));
  }
}

const planKey = (plan: QuestionPlan): string =>
  `${plan.combine.kind}:${plan.steps
    .map((s) => `${s.inverse ? '~' : ''}${s.fact}`)
    .sort()
    .join(',')}`;

function toItem(ctx: Ctx, draft: DraftQuestion, id: string, shape: DatasetName | 'train'): QaItem {
  const { index, support } = ctx;
  const answerEntity =
    draft.answerEntity === undefined ? undefined : index.entity(draft.answerEntity);
  const withAliases = ['nq', 'triviaqa', 'popqa'].includes(shape);
  const golds = [draft.plan.answer, ...(withAliases ? (answerEntity?.aliases ?? []) : [])];
  const facts = draft.plan.steps.map((s) => index.facts[s.fact] as Fact);
  return {
    id,
    question: draft.question,
    golden_answers: golds,
    metadata: {
      type: draft.type,
      hops: draft.plan.steps.length,
      shape,
      shape_description: BENCHMARK_SHAPES[shape],
      supporting_ids: [...new Set(draft.plan.steps.flatMap((s) => support[s.fact] ?? []))],
      support_by_hop: draft.plan.steps.map((s) => support[s.fact] ?? []),
      facts: facts.map((f) => ({
        subject: index.entity(f.subject).name,
        relation: f.relation,
        object: f.object,
      })),
      popularity: Math.min(...draft.named.map((id_) => index.entity(id_).popularity)),
    },
  };
}

export interface QuestionSets {
  sets: Record<DatasetName | 'train', QaItem[]>;
  plans: Record<string, QuestionPlan>;
}

/**
 * Generates every benchmark-shaped test set, then the training pool. No two questions share a
 * text or a fact chain, so training questions never repeat a test question's facts.
 */
export function generateQuestionSets(options: {
  seed: number;
  entities: Entity[];
  facts: Fact[];
  support: string[][];
  testSize: number;
  trainSize: number;
  names: readonly DatasetName[];
}): QuestionSets {
  const index = new FactIndex(options.entities, options.facts);
  const byKind = new Map<EntityKind, Entity[]>();
  for (const e of options.entities) {
    const list = byKind.get(e.kind);
    if (list) list.push(e);
    else byKind.set(e.kind, [e]);
  }
  const usedKeys = new Set<string>();
  const tables: Ctx['tables'] = new Map();
  const plans: Record<string, QuestionPlan> = {};
  const sets = {} as Record<DatasetName | 'train', QaItem[]>;
  for (const name of [...options.names, 'train'] as const) {
    const ctx: Ctx = {
      rng: Rng.derive(options.seed, `questions:${name}`),
      index,
      support: options.support,
      byKind,
      tables,
    };
    const size = name === 'train' ? options.trainSize : options.testSize;
    const items: QaItem[] = [];
    for (let attempt = 0; items.length < size && attempt < size * 60; attempt += 1) {
      const draft = draw(ctx, name);
      if (!draft || plans[draft.question] || usedKeys.has(planKey(draft.plan))) continue;
      usedKeys.add(planKey(draft.plan));
      plans[draft.question] = draft.plan;
      items.push(toItem(ctx, draft, `${name}-${String(items.length).padStart(5, '0')}`, name));
    }
    sets[name] = items;
  }
  return { sets, plans };
}
