/**
 * DOM-mutation workloads after rrweb's own benchmark (append, remove, attribute, text, move,
 * nested insert), plus a carousel storm. Each step runs in the page as `new Function('i', step)`.
 */
export interface MutationWorkload {
  name: string;
  /** Body HTML the workload starts from. */
  setup: string;
  /** One iteration; `i` is its number. */
  step: string;
}

const items = (n: number, tag = 'div'): string =>
  Array.from({ length: n }, (_, i) => `<${tag} class="x" data-i="${i}">item ${i}</${tag}>`).join(
    '',
  );

export const MUTATION_WORKLOADS: MutationWorkload[] = [
  {
    name: 'append',
    setup: '<div id="root"></div>',
    step: `const r = document.getElementById('root'); for (let k = 0; k < 100; k++) { const d = document.createElement('div'); d.textContent = 'n' + i + '-' + k; r.appendChild(d); }`,
  },
  {
    name: 'remove',
    setup: `<div id="root">${items(5000)}</div>`,
    step: `const r = document.getElementById('root'); for (let k = 0; k < 50 && r.firstChild; k++) r.removeChild(r.firstChild);`,
  },
  {
    name: 'attribute',
    setup: `<div id="root">${items(1000)}</div>`,
    step: `for (const el of document.getElementById('root').children) el.setAttribute('data-v', String(i));`,
  },
  {
    name: 'text',
    setup: `<div id="root">${items(1000)}</div>`,
    step: `for (const el of document.getElementById('root').children) el.firstChild.data = 'v' + i;`,
  },
  {
    name: 'move',
    setup: `<div id="a">${items(500)}</div><div id="b"></div>`,
    step: `const [from, to] = i % 2 ? ['b', 'a'] : ['a', 'b']; const f = document.getElementById(from), t = document.getElementById(to); while (f.firstChild) t.appendChild(f.firstChild);`,
  },
  {
    name: 'nested',
    setup: '<div id="root"></div>',
    step: `let p = document.getElementById('root'); for (let k = 0; k < 30; k++) { const d = document.createElement('section'); d.className = 'lvl' + k; d.textContent = String(k); p.appendChild(d); p = d; }`,
  },
  {
    name: 'carousel',
    setup: `<div id="track" style="display:flex">${items(40, 'figure')}</div>`,
    step: `const t = document.getElementById('track'); for (let k = 0; k < 20; k++) { t.appendChild(t.firstElementChild); t.style.transform = 'translateX(' + (-(i * 20 + k) % 400) + 'px)'; t.firstElementChild.classList.toggle('active'); }`,
  },
];
