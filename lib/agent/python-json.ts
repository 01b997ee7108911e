/**
 * Serialization identical to Python's `json.dumps(value, indent=2)` with its defaults
 * (`ensure_ascii=True`, separators `", "`/`": "` collapsed to `","` + newline under indent).
 * The mq observation must match the reference byte for byte (spec section 1, mq step 6), and
 * `JSON.stringify` neither escapes non-ASCII nor renders empty containers the same way.
 */
export type PythonJsonValue =
  string | number | boolean | null | PythonJsonValue[] | { [key: string]: PythonJsonValue };

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Python's `py_encode_basestring_ascii`: everything outside space..tilde is escaped. */
export function pythonJsonString(text: string): string {
  let out = '"';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    const code = text.charCodeAt(index);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function renderNumber(value: number): string {
  if (!Number.isFinite(value)) {
    if (Number.isNaN(value)) return 'NaN';
    return value > 0 ? 'Infinity' : '-Infinity';
  }
  if (Number.isInteger(value)) return String(value);
  // Python's float repr writes exponents with at least two digits (1e-07, not 1e-7).
  return String(value).replace(/e([+-])(\d)$/, 'e$10$2');
}

function render(value: PythonJsonValue, indent: number, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return pythonJsonString(value);
  if (typeof value === 'number') return renderNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const inner = '\n' + ' '.repeat(indent * (depth + 1));
  const outer = '\n' + ' '.repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => render(item, indent, depth + 1));
    return `[${inner}${items.join(`,${inner}`)}${outer}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const items = entries.map(
    ([key, item]) => `${pythonJsonString(key)}: ${render(item, indent, depth + 1)}`,
  );
  return `{${inner}${items.join(`,${inner}`)}${outer}}`;
}

/** `json.dumps(value, indent=indent)` as CPython 3 writes it. Keys keep insertion order. */
export function renderPythonJson(value: PythonJsonValue, indent = 2): string {
  return render(value, indent, 0);
}
