/**
 * `make fidelity` (also run by `make bench`): the fidelity suite against rrweb, as a table on
 * stdout and a record in bench/results/fidelity/latest.json. `--no-rrweb` skips the comparison.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchChromium } from '../../test/e2e/support/browser.ts';
import { runFidelity, VIEWPORT, type FidelityRow } from './run.ts';

const pct = (share: number | undefined): string =>
  share === undefined ? '–' : `${(share * 100).toFixed(2)}%`;

/** The table as Markdown: one row per page, equal pixels and equal non-background pixels. */
export function formatTable(rows: readonly FidelityRow[]): string {
  const head = [
    '| page | what it shows | Tandem equal | Tandem equal (non-bg) | rrweb equal | rrweb equal (non-bg) |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  const body = rows.map(
    (r) =>
      `| ${r.name} | ${r.feature} | ${pct(r.tandem.equal)} | ${pct(r.tandem.equalContent)} | ` +
      `${pct(r.rrweb?.equal)} | ${pct(r.rrweb?.equalContent)} |`,
  );
  return [...head, ...body].join('\n');
}

async function main(): Promise<void> {
  const rrweb = !process.argv.includes('--no-rrweb');
  const out = new URL('../results/fidelity/', import.meta.url).pathname;
  const browser = await launchChromium();
  try {
    const rows = await runFidelity({ browser, rrweb });
    process.stdout.write(
      `Mirror fidelity at ${VIEWPORT.width}×${VIEWPORT.height} CSS px, Chromium, pixel by pixel\n\n` +
        `${formatTable(rows)}\n`,
    );
    await mkdir(out, { recursive: true });
    const record = {
      at: new Date().toISOString(),
      viewport: VIEWPORT,
      rows: rows.map(({ wire: _wire, sent: _sent, ...row }) => row),
    };
    await writeFile(join(out, 'latest.json'), `${JSON.stringify(record, null, 2)}\n`);
  } finally {
    await browser.close();
  }
}

await main();
