import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.ts';
import { RagR1ConfigSchema, type RagR1Config } from '../config.ts';
import { RAG_R1_PRESETS } from '../presets.ts';
import { overridesToMap, renderVerlPpoArgs, type VerlPaths } from './render-config.ts';

function preset(name: string): RagR1Config {
  return RagR1ConfigSchema.parse(RAG_R1_PRESETS[name]);
}

const PAPER_PATHS: VerlPaths = {
  trainParquet: '/runs/sq/data/train.parquet',
  valParquet: '/runs/sq/data/test.parquet',
  sftCheckpoint: '/models/qwen2.5-7b-sft-sq',
  outputDir: '/runs/sq/checkpoints',
  retrieverUrl: 'http://127.0.0.1:8000/retrieve',
  nodes: 1,
  gpusPerNode: 8,
  projectName: 'RAG-R1-sq',
  experimentName: 'hotpotqa-filter-ppo',
};

/** RAG-R1 train_ppo*.sh (AWorld-RL @ baf99ea) and spec section 5, as Hydra reads them. */
const PAPER_VALUES: Record<string, string> = {
  'data.train_batch_size': '512',
  'data.val_batch_size': '256',
  'data.max_prompt_length': '8192',
  'data.max_response_length': '500',
  'data.max_start_length': '2048',
  'data.max_obs_length': '1000',
  'data.shuffle_train_dataloader': 'true',
  'algorithm.adv_estimator': 'gae',
  'algorithm.kl_ctrl.type': 'fixed',
  'algorithm.kl_ctrl.kl_coef': '0.001',
  'algorithm.kl_penalty': 'kl',
  'algorithm.gamma': '1.0',
  'algorithm.lam': '1.0',
  'actor_rollout_ref.actor.optim.lr': '1e-6',
  'actor_rollout_ref.actor.optim.lr_warmup_steps_ratio': '0.285',
  'actor_rollout_ref.actor.ppo_mini_batch_size': '128',
  'actor_rollout_ref.actor.ppo_micro_batch_size': '32',
  'actor_rollout_ref.actor.ppo_epochs': '1',
  'actor_rollout_ref.actor.clip_ratio': '0.2',
  'actor_rollout_ref.actor.entropy_coeff': '0.001',
  'actor_rollout_ref.actor.grad_clip': '1.0',
  'actor_rollout_ref.actor.use_kl_loss': 'false',
  'actor_rollout_ref.actor.state_masking': 'true',
  'actor_rollout_ref.actor.fsdp_config.param_offload': 'true',
  'actor_rollout_ref.actor.fsdp_config.grad_offload': 'true',
  'actor_rollout_ref.actor.fsdp_config.optimizer_offload': 'true',
  'actor_rollout_ref.model.enable_gradient_checkpointing': 'true',
  'actor_rollout_ref.model.use_remove_padding': 'true',
  'actor_rollout_ref.model.path': '/models/qwen2.5-7b-sft-sq',
  'actor_rollout_ref.rollout.name': 'vllm',
  'actor_rollout_ref.rollout.tensor_model_parallel_size': '1',
  'actor_rollout_ref.rollout.gpu_memory_utilization': '0.6',
  'actor_rollout_ref.rollout.log_prob_micro_batch_size': '64',
  'actor_rollout_ref.rollout.n_agent': '1',
  'actor_rollout_ref.rollout.temperature': '1.0',
  'actor_rollout_ref.rollout.top_p': '0.95',
  'actor_rollout_ref.ref.log_prob_micro_batch_size': '64',
  'actor_rollout_ref.ref.fsdp_config.param_offload': 'true',
  'critic.optim.lr': '1e-5',
  'critic.optim.lr_warmup_steps_ratio': '0.015',
  'critic.model.path': '/models/qwen2.5-7b-sft-sq',
  'critic.ppo_micro_batch_size': '8',
  'critic.cliprange_value': '0.5',
  'critic.grad_clip': '1.0',
  'critic.model.fsdp_config.optimizer_offload': 'true',
  'trainer.n_gpus_per_node': '8',
  'trainer.nnodes': '1',
  'trainer.save_freq': '50',
  'trainer.test_freq': '50',
  'trainer.total_epochs': '50',
  'trainer.total_training_steps': '500',
  'trainer.default_local_dir': '/runs/sq/checkpoints',
  'trainer.project_name': 'RAG-R1-sq',
  '+trainer.val_before_train': 'true',
  max_turns: '5',
  'retriever.url': 'http://127.0.0.1:8000/retrieve',
  'retriever.topk': '3',
  do_search: 'true',
};

describe('renderVerlPpoArgs', () => {
  for (const name of ['rag-r1-sq', 'rag-r1-mq']) {
    it(`renders the paper values for ${name}`, () => {
      const map = overridesToMap(renderVerlPpoArgs(preset(name), PAPER_PATHS));
      for (const [key, value] of Object.entries(PAPER_VALUES)) {
        expect({ key, value: map.get(key) }).toEqual({ key, value });
      }
    });
  }

  it('renders every key once, as key=value', () => {
    const args = renderVerlPpoArgs(preset('rag-r1-mq'), PAPER_PATHS);
    expect(overridesToMap(args).size).toBe(args.length);
    expect(args.length).toBeGreaterThan(60);
    for (const arg of args) expect(arg).toMatch(/^\+?[a-z_][a-z_.]*=\S+$/);
  });

  it('renders the tiny world config too (its own values, clamped micro batches)', () => {
    const tiny = RagR1ConfigSchema.parse(RAG_R1_PRESETS.tiny);
    const map = overridesToMap(
      renderVerlPpoArgs(tiny, { ...PAPER_PATHS, nodes: 1, gpusPerNode: 1 }),
    );
    expect(map.get('data.train_batch_size')).toBe(String(tiny.ppo.batchSize));
    expect(map.get('actor_rollout_ref.actor.ppo_mini_batch_size')).toBe(
      String(tiny.ppo.miniBatchSize),
    );
    expect(map.get('actor_rollout_ref.actor.ppo_micro_batch_size')).toBe('4');
    expect(map.get('critic.ppo_micro_batch_size')).toBe('1');
    expect(map.get('actor_rollout_ref.actor.optim.lr')).toBe('2e-4');
    expect(map.get('data.max_prompt_length')).toBe('1024');
    expect(map.get('data.max_start_length')).toBe('1024');
    expect(map.get('data.max_response_length')).toBe('64');
    expect(map.get('data.max_obs_length')).toBe('400');
    expect(map.get('trainer.total_training_steps')).toBe(String(tiny.ppo.steps));
    expect(map.get('trainer.save_freq')).toBe(String(tiny.ppo.checkpointEvery));
    expect(map.get('max_turns')).toBe('5');
  });

  it('scales micro batches with the world size and caps them at the mini batch', () => {
    const config = preset('rag-r1-sq');
    const two = overridesToMap(renderVerlPpoArgs(config, { ...PAPER_PATHS, nodes: 2 }));
    expect(two.get('trainer.nnodes')).toBe('2');
    expect(two.get('actor_rollout_ref.actor.ppo_micro_batch_size')).toBe('64');
    expect(two.get('critic.ppo_micro_batch_size')).toBe('16');
    const many = overridesToMap(renderVerlPpoArgs(config, { ...PAPER_PATHS, nodes: 16 }));
    expect(many.get('actor_rollout_ref.actor.ppo_micro_batch_size')).toBe('128');
  });

  it('rejects batch sizes the GPUs cannot split, naming the field', () => {
    const config = preset('rag-r1-sq');
    expect(() => renderVerlPpoArgs(config, { ...PAPER_PATHS, gpusPerNode: 3 })).toThrow(
      /ppo\.batchSize: 512 is not divisible by 3/,
    );
    const odd = { ...config, ppo: { ...config.ppo, miniBatchSize: 100 } };
    expect(() => renderVerlPpoArgs(odd, PAPER_PATHS)).toThrow(ConfigError);
  });

  it('quotes values Hydra would misread and rejects ones it cannot carry', () => {
    const config = preset('rag-r1-mq');
    const map = overridesToMap(
      renderVerlPpoArgs(config, {
        ...PAPER_PATHS,
        sftCheckpoint: '/models/my model,v2',
        experimentName: '2025',
      }),
    );
    expect(map.get('actor_rollout_ref.model.path')).toBe("'/models/my model,v2'");
    expect(map.get('trainer.experiment_name')).toBe("'2025'");
    expect(() => renderVerlPpoArgs(config, { ...PAPER_PATHS, outputDir: "/runs/it's" })).toThrow(
      /paths\.outputDir/,
    );
  });

  it('follows the config: grpo, group size, KL beta, top-k', () => {
    const config = preset('rag-r1-mq');
    const changed: RagR1Config = {
      ...config,
      ppo: { ...config.ppo, advantage: 'grpo', groupSize: 5, klBeta: 0.01 },
      retrieval: { ...config.retrieval, topK: 5 },
    };
    const map = overridesToMap(renderVerlPpoArgs(changed, PAPER_PATHS));
    expect(map.get('algorithm.adv_estimator')).toBe('grpo');
    expect(map.get('actor_rollout_ref.rollout.n_agent')).toBe('5');
    expect(map.get('algorithm.kl_ctrl.kl_coef')).toBe('0.01');
    expect(map.get('retriever.topk')).toBe('5');
  });
});
