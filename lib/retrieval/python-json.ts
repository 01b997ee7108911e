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

/** What JSON.stringify leaves literal but Python's ASCII encoder escapes: DEL and above. */
const NON_ASCII = /[\u007f-\uffff]/g;

const escapeCodeUnit = (char: string): string =>
  `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A JSON string literal as Python's ASCII encoder writes it: only space..`~` stay literal.
 * JSON.stringify already escapes quotes, backslashes and control characters exactly as Python
 * does (`\n`, `\u001f`, lone surrogates as `\udXXX`); what is left is every code unit from
 * DEL up, astral characters as their two surrogate halves, as Python writes them. Native
 * escaping first: this renders every mq observation of thousands of concurrent rollouts.
 */
export function renderPythonJsonString(text: string): string {
  return JSON.stringify(text).replace(NON_ASCII, escapeCodeUnit);
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
