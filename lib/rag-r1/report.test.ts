import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import {
  renderEvalTable,
  renderReportHtml,
  renderReportMarkdown,
  renderTrainingHealth,
  type EvalRow,
} from './report.ts';

const rows: EvalRow[] = [
  { method: 'sft', dataset: 'nq', n: 10, em: 0.2, f1: 0.3, meanSeconds: 0.1, meanRetrievals: 1 },
  {
    method: 'sft',
    dataset: 'hotpotqa',
    n: 10,
    em: 0.4,
    f1: 0.5,
    meanSeconds: 0.3,
    meanRetrievals: 2,
  },
  { method: 'ppo', dataset: 'nq', n: 10, em: 0.5, f1: 0.6, meanSeconds: 0.1, meanRetrievals: 1 },
];

describe('report', () => {
  it('averages EM per method over the datasets it has', () => {
    const table = renderEvalTable(rows);
    expect(table.split('\n')[0]).toBe(
      '| method | nq | hotpotqa | avg EM | avg F1 | mean s | mean retrievals |',
    );
    expect(table).toContain('| sft | 0.200 | 0.400 | 0.300 | 0.400 | 0.200 | 1.50 |');
    expect(table).toContain('| ppo | 0.500 | – | 0.500 |');
  });

  it('renders curves as inline SVG and a standalone HTML page', () => {
    const input = {
      title: 'tiny run',
      runId: 'r1',
      configHash: 'abc'.repeat(20),
      config: { name: 'tiny' },
      stages: [{ name: 'prepare', seconds: 1.5, summary: { passages: 1500 } }],
      curves: {
        'SFT loss': [
          {
            name: 'loss',
            points: [
              { step: 1, value: 3 },
              { step: 2, value: 2 },
            ],
          },
        ],
      },
      ppoSteps: [],
      evalRows: rows,
      normalize: 'rag-r1',
      links: { temporal: 'http://127.0.0.1:8233' },
    };
    const markdown = renderReportMarkdown(input);
    expect(markdown).toContain('<polyline');
    expect(markdown).toContain('| prepare | 1.5 |');
    const html = renderReportHtml(input, (md) => marked.parse(md, { async: false }));
    expect(html).toContain('<table>');
    expect(html).toContain('<svg');
  });

  it('tabulates RL health per step with the zero-reward share and the largest on-policy gap', () => {
    const health = renderTrainingHealth([
      { step: 1, metrics: { reward: 0, zero_reward_step: 1, onpolicy_max_gap: 2e-6, kl: 0 } },
      {
        step: 2,
        metrics: { reward: 0.25, zero_reward_step: 0, onpolicy_max_gap: 3e-6, clipfrac: 0.1 },
      },
    ]);
    expect(health).toContain('Steps with no reward at all: 1 of 2.');
    expect(health).toContain('Largest on-policy gap (sampled vs recomputed log-prob): 3.0e-6.');
    expect(health).toContain('| 2 | 0.250 | – | – | – | 0.100 |');
    expect(renderTrainingHealth([])).toBe('No RL steps recorded.');
  });
});
