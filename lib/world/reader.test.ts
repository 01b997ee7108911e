import { describe, expect, it } from 'vitest';
import {
  readAnyRelation,
  readAnyRelationEvidence,
  readRelation,
  readRelationEvidence,
} from './reader.ts';

const TEXT =
  'Koro Satos Velm was born in Rasta. Satos Velm is a native of Velmar. Satos Velm worked as a baker.';

describe('reader evidence', () => {
  it('returns each value with its whole sentence, exactly as the passage has it', () => {
    expect(readRelationEvidence(TEXT, 'born_in', 'Satos Velm')).toEqual([
      { value: 'Rasta', sentence: 'Koro Satos Velm was born in Rasta.' },
      { value: 'Velmar', sentence: 'Satos Velm is a native of Velmar.' },
    ]);
    expect(readRelation(TEXT, 'born_in', 'Satos Velm')).toEqual(['Rasta', 'Velmar']);
    expect(readRelationEvidence(TEXT, 'occupation', 'Satos Velm')).toEqual([
      { value: 'baker', sentence: 'Satos Velm worked as a baker.' },
    ]);
  });

  it('reads any subject with its sentence, the values as readAnyRelation has them', () => {
    const evidence = readAnyRelationEvidence(TEXT, 'born_in');
    expect(evidence.map((e) => e.value)).toEqual(readAnyRelation(TEXT, 'born_in'));
    expect(evidence.find((e) => e.value === 'Velmar')?.sentence).toBe(
      'Satos Velm is a native of Velmar.',
    );
  });
});
