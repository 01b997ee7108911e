/** IEEE half precision <-> float32, for storing embeddings at half size (Node 20 has no Float16Array). */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = ((x >>> 23) & 0xff) - 127 + 15;
  const mantissa = x & 0x7fffff;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const m = (mantissa | 0x800000) >> (1 - exponent);
    return sign | ((m + 0x1000) >> 13);
  }
  if (exponent >= 31) return sign | 0x7c00;
  // Round to nearest; a carry out of the mantissa correctly bumps the exponent.
  return sign | ((exponent << 10) + ((mantissa + 0x1000) >> 13));
}

/** All 65,536 half values as float32, so decoding in the search loop is one table read. */
export const HALF_TO_FLOAT: Float32Array = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h += 1) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * 2 ** -14 * (mantissa / 1024);
    else if (exponent === 31) table[h] = mantissa ? NaN : sign * Infinity;
    else table[h] = sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
  }
  return table;
})();
