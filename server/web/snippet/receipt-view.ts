/**
 * The receipt the widget offers when the session ends: the session's final audit hash (the agent
 * console shows the same; `tandem audit verify` checks it against the server's log), who joined,
 * and what they were allowed to do and when.
 */
import type { SessionReceipt } from '../../src/protocol/index.ts';

export const RECEIPT_CSS = `
.receipt { margin: 0 0 8px; padding: 6px 8px; border-radius: 6px; background: #24365e; }
.receipt summary { cursor: pointer; font-weight: 600; }
.receipt p, .receipt ul { margin: 6px 0 0; padding: 0; list-style: none; }
.receipt code { display: block; font: 11px/1.3 ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
`;

const CHANGE_TEXT: Record<SessionReceipt['permissions'][number]['change'], string> = {
  requested: 'asked for control',
  granted: 'was given control',
  denied: 'was refused control',
  revoked: 'had control taken back',
  released: 'gave control back',
};

const time = (at: number): string =>
  new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A `<details>` element showing the receipt. */
export function renderReceipt(doc: Document, receipt: SessionReceipt): HTMLDetailsElement {
  const details = doc.createElement('details');
  details.className = 'receipt';
  const summary = doc.createElement('summary');
  summary.textContent = 'Session receipt';
  const hash = doc.createElement('p');
  hash.textContent = `Audit record ${receipt.seq}, fingerprint:`;
  const code = doc.createElement('code');
  code.className = 'receipt-hash';
  code.textContent = receipt.hash;
  hash.append(code);
  const list = doc.createElement('ul');
  const line = (text: string): void => {
    const item = doc.createElement('li');
    item.textContent = text;
    list.append(item);
  };
  line(`${time(receipt.startedAt)}: you started the session`);
  const events = [
    ...receipt.joined.map((j) => ({
      at: j.at,
      text: `${j.role === 'supervisor' ? 'Supervisor' : 'Agent'} ${j.name} joined`,
    })),
    ...receipt.permissions.map((p) => ({ at: p.at, text: `${p.name} ${CHANGE_TEXT[p.change]}` })),
  ].sort((a, b) => a.at - b.at);
  for (const event of events) line(`${time(event.at)}: ${event.text}`);
  if (receipt.joined.length === 0) line('No agent joined');
  line(`${time(receipt.endedAt)}: the session ended`);
  details.append(summary, hash, list);
  return details;
}
