/**
 * Python's `json.dumps(value, indent=2)` with its defaults (`ensure_ascii=True`), byte for byte.
 * The mq observation is this rendering of `{"query": [...], "documents": [...]}` (spec section
 * 1, mq step 6); `JSON.stringify` differs in non-ASCII escaping and float formatting.
 */
export type PythonJsonValue =
  | string
  | number
  | boolean
  | null
  | readonly PythonJsonValue[]
  | { readonly [key: string]: PythonJsonValue };

const ESCAPES = new Map<number, string>([
  [0x22, '\\"'],
  [0x5c, '\\\\'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
]);

/** A JSON string literal as Python's ASCII encoder writes it: only space..`~` stay literal. */
export function renderPythonJsonString(text: string): string {
  let out = '"';
  let runStart = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(runStart, index);
    // Astral characters arrive as UTF-16 surrogate halves, which is what Python writes too.
    out += ESCAPES.get(code) ?? `\\u${code.toString(16).padStart(4, '0')}`;
    runStart = index + 1;
  }
  return `${out}${text.slice(runStart)}"`;
}

/**
 * Python's float `repr`: shortest round-trip digits (as JavaScript), but scientific notation
 * only below 1e-4 or from 1e16 on, with a signed exponent of at least two digits.
 */
export function renderPythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${head}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1) || '0';
  return `${sign}${intPart}.${fraction}`;
}

function render(value: PythonJsonValue, indent: string, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return renderPythonJsonString(value);
  if (typeof value === 'number') return renderPythonNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const inner = `\n${indent.repeat(depth + 1)}`;
  const closing = `\n${indent.repeat(depth)}`;
  if (isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => render(item, indent, depth + 1));
    return `[${inner}${items.join(`,${inner}`)}${closing}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const items = entries.map(
    ([key, item]) => `${renderPythonJsonString(key)}: ${render(item, indent, depth + 1)}`,
  );
  return `{${inner}${items.join(`,${inner}`)}${closing}}`;
}

function isArray(value: PythonJsonValue): value is readonly PythonJsonValue[] {
  return Array.isArray(value);
}

/**
 * `json.dumps(value, indent=2)` as CPython 3 writes it (keys in insertion order). Integral
 * numbers print as Python ints; pass floats that must print as `1.0` as non-integral values.
 */
export function renderPythonJson(value: PythonJsonValue, indent = 2): string {
  return render(value, ' '.repeat(indent), 0);
}
