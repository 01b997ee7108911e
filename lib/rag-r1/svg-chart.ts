/** A point series for a training curve. */
export interface Series {
  name: string;
  points: Array<{ step: number; value: number }>;
}

const WIDTH = 480;
const HEIGHT = 200;
const PAD = 36;
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!,
  );
}

/**
 * A self-contained line chart as inline SVG, so the report is one file that renders anywhere
 * (a browser, a Markdown viewer with HTML, an artifact download) with no script or library.
 */
export function renderLineChart(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<p><em>${escapeXml(title)}: no data</em></p>`;
  const minX = Math.min(...all.map((p) => p.step));
  const maxX = Math.max(...all.map((p) => p.step));
  const minY = Math.min(...all.map((p) => p.value));
  const maxY = Math.max(...all.map((p) => p.value));
  const x = (step: number) => PAD + ((step - minX) / (maxX - minX || 1)) * (WIDTH - 2 * PAD);
  const y = (value: number) =>
    HEIGHT - PAD - ((value - minY) / (maxY - minY || 1)) * (HEIGHT - 2 * PAD);
  const lines = series.map((s, index) => {
    const path = s.points.map((p) => `${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    const color = COLORS[index % COLORS.length]!;
    const label = `<text x="${WIDTH - PAD}" y="${14 + 14 * index}" text-anchor="end" fill="${color}" font-size="11">${escapeXml(s.name)}</text>`;
    return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${path}"/>${label}`;
  });
  const axes =
    `<line x1="${PAD}" y1="${HEIGHT - PAD}" x2="${WIDTH - PAD}" y2="${HEIGHT - PAD}" stroke="#999"/>` +
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${HEIGHT - PAD}" stroke="#999"/>` +
    `<text x="${PAD}" y="${HEIGHT - PAD + 14}" font-size="10">${minX}</text>` +
    `<text x="${WIDTH - PAD}" y="${HEIGHT - PAD + 14}" font-size="10" text-anchor="end">${maxX}</text>` +
    `<text x="${PAD - 4}" y="${HEIGHT - PAD}" font-size="10" text-anchor="end">${formatTick(minY)}</text>` +
    `<text x="${PAD - 4}" y="${PAD + 4}" font-size="10" text-anchor="end">${formatTick(maxY)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${PAD}" y="14" font-size="12" font-weight="bold">${escapeXml(title)}</text>${axes}${lines.join('')}</svg>`
  );
}

function formatTick(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
