/**
 * An SVG chart, written by hand (no browser needed): one panel per scenario variant. Latency
 * panels show the pooled p50/p90/p99 of each contender on a log scale; the others show the
 * headline figure's median with its range.
 */
import type { ScenarioResult } from './results.ts';

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const COLORS = ['#4e79a7', '#f28e2b', '#e15759'];
const WIDTH = 760;
const LABEL = 190;
const BAR = 10;

export function renderChart(scenarios: readonly ScenarioResult[], title: string): string {
  const parts: string[] = [];
  let y = 40;
  for (const s of scenarios) {
    for (const v of s.variants) {
      const latency = s.headline.unit === 'ms' && v.contenders.some((c) => c.pooled);
      parts.push(
        `<text x="10" y="${y}" font-weight="bold">${esc(`${s.title} — ${v.label}`)}</text>`,
      );
      y += 8;
      const values = v.contenders.flatMap((c) =>
        latency
          ? [c.pooled?.p50, c.pooled?.p90, c.pooled?.p99]
          : [c.figures[s.headline.figure]?.max],
      );
      const finite = values.filter(
        (x): x is number => x !== undefined && Number.isFinite(x) && x > 0,
      );
      const max = finite.length ? Math.max(...finite) : 1;
      const min = finite.length ? Math.min(...finite) : 1;
      const span = WIDTH - LABEL - 80;
      const scale = (x: number): number => {
        if (!(x > 0)) return 0;
        if (!latency) return (x / max) * span;
        const lo = Math.log10(Math.min(min, 0.1));
        return ((Math.log10(x) - lo) / (Math.log10(max) - lo || 1)) * span;
      };
      for (const c of v.contenders) {
        const bars = latency
          ? [
              ['p50', c.pooled?.p50],
              ['p90', c.pooled?.p90],
              ['p99', c.pooled?.p99],
            ]
          : [[s.headline.figure, c.figures[s.headline.figure]?.median]];
        const rowHeight = bars.length * (BAR + 2) + 6;
        parts.push(`<text x="10" y="${y + rowHeight / 2 + 4}">${esc(c.name)}</text>`);
        bars.forEach(([name, value], i) => {
          const by = y + 4 + i * (BAR + 2);
          const w = typeof value === 'number' ? scale(value) : 0;
          parts.push(
            `<rect x="${LABEL}" y="${by}" width="${w.toFixed(1)}" height="${BAR}" fill="${COLORS[i % COLORS.length]}"/>`,
            `<text x="${LABEL + w + 4}" y="${by + BAR - 1}" font-size="10">${esc(`${String(name)} ${typeof value === 'number' && Number.isFinite(value) ? value.toPrecision(3) : '–'} ${s.headline.unit}`)}</text>`,
          );
        });
        y += rowHeight;
      }
      y += 24;
    }
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
