/**
 * The fidelity suite's pages: one per thing the mirror must show as the customer sees it. Each
 * is the customer's page (with its own scripts, which run only there), what the customer does
 * before recording starts, what happens after (so that the change travels as operations, not in
 * the snapshot), and the operations that must have arrived before the screenshots are taken.
 */
import type { Page } from 'playwright-core';
import type { MutationKind } from '../../server/src/protocol/index.ts';

export interface FidelityPage {
  name: string;
  /** What the page shows the mirror must render. */
  feature: string;
  html: string;
  /** Before the snapshot. */
  before?: (page: Page) => Promise<void>;
  /** After the snapshot: the change must reach the mirror as operations. */
  after?: (page: Page) => Promise<void>;
  /** Operation kinds that must have been sent (after the snapshot) before comparing. */
  expect: MutationKind[];
}

const BASE_CSS = `html, body { margin: 0; } body { font: 16px/1.4 sans-serif; padding: 16px; }`;

function doc(title: string, body: string, head = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<style>${BASE_CSS}</style>${head}</head><body>${body}</body></html>`;
}

/** A TodoMVC-like app built of web components styled only through adopted sheets. */
const TODO_APP = doc(
  'Todos (web components)',
  `<todo-app></todo-app>
<script>
const appSheet = new CSSStyleSheet();
appSheet.replaceSync(\`
  :host { display: block; max-width: 520px; margin: 0 auto; background: #fff;
          box-shadow: 0 2px 4px rgba(0,0,0,.2), 0 25px 50px rgba(0,0,0,.1); }
  h1 { margin: 0; padding: 8px 0; text-align: center; font-size: 64px; font-weight: 200;
       color: #b83f45; background: #f5f5f5; }
  input.new { box-sizing: border-box; width: 100%; padding: 16px 16px 16px 60px; font-size: 24px;
              border: 0; border-bottom: 1px solid #ededed; font-style: italic; }
  ul { list-style: none; margin: 0; padding: 0; }
  footer { padding: 10px 15px; color: #777; font-size: 14px; border-top: 1px solid #e6e6e6; }
  footer a { color: inherit; margin: 0 4px; padding: 3px 7px; border: 1px solid transparent;
             border-radius: 3px; text-decoration: none; }
  footer a.selected { border-color: #ce4646; }
\`);
const itemSheet = new CSSStyleSheet();
itemSheet.replaceSync(\`
  :host { display: block; border-bottom: 1px solid #ededed; font-size: 24px; }
  label { display: block; padding: 15px 15px 15px 60px; position: relative; }
  label::before { content: ''; position: absolute; left: 14px; top: 14px; width: 30px; height: 30px;
                  border: 1px solid #949494; border-radius: 50%; }
  :host([done]) label { color: #949494; text-decoration: line-through; }
  :host([done]) label::before { border-color: #59a193; background: #e7f3f0; }
\`);
document.adoptedStyleSheets = [(() => { const s = new CSSStyleSheet();
  s.replaceSync('body { background: #f5f5f5; color: #111; }'); return s; })()];
class TodoItem extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [itemSheet];
    root.innerHTML = '<label><slot></slot></label>';
  }
}
class TodoApp extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [appSheet];
    root.innerHTML = '<h1>todos</h1><input class="new" placeholder="What needs to be done?">' +
      '<ul></ul><footer>3 items left <a class="selected">All</a><a>Active</a><a>Completed</a></footer>';
    for (const [text, done] of [['Buy milk', false], ['Write the report', true], ['Call Ann', false]]) {
      this.add(text, done);
    }
  }
  add(text, done) {
    const item = document.createElement('todo-item');
    item.textContent = text;
    if (done) item.setAttribute('done', '');
    this.shadowRoot.querySelector('ul').append(item);
  }
}
customElements.define('todo-item', TodoItem);
customElements.define('todo-app', TodoApp);
window.itemSheet = itemSheet;
</script>`,
);

export const FIDELITY_PAGES: FidelityPage[] = [
  {
    name: 'todomvc-web-components',
    feature: 'shadow roots styled by adopted sheets; an item added and a rule inserted later',
    html: TODO_APP,
    async after(page) {
      await page.evaluate(`
        document.querySelector('todo-app').add('Water the plants', false);
        itemSheet.insertRule(':host(:last-child) label { color: #2a6f97; }');`);
    },
    expect: ['sheets', 'add'],
  },
  {
    name: 'document-adopted-sheets',
    feature: 'document adopted sheets replaced, pushed to and changed by replaceSync',
    html: doc(
      'Adopted',
      `<h1>Adopted sheets</h1><p class="a">First paragraph.</p><p class="b">Second one.</p>
<script>
const one = new CSSStyleSheet(); one.replaceSync('h1 { color: #a40; } .a { background: #fe8; }');
document.adoptedStyleSheets = [one];
window.one = one;
</script>`,
    ),
    async after(page) {
      await page.evaluate(`{
        const two = new CSSStyleSheet();
        two.replaceSync('.b { border: 3px solid #06c; padding: 8px; }');
        document.adoptedStyleSheets.push(two);
        one.replaceSync('h1 { color: #080; letter-spacing: 4px; } .a { background: #cef; }');
      }`);
    },
    expect: ['sheets'],
  },
  {
    name: 'cssom-insert-delete',
    feature: 'insertRule, deleteRule and a rule style setProperty on a <style> sheet',
    html: doc(
      'CSSOM',
      `<style id="s">.box { width: 200px; height: 80px; background: #ddd; } .gone { display: none; }</style>
<div class="box"></div><p class="gone">Shown once the rule is deleted.</p>`,
    ),
    async after(page) {
      await page.evaluate(`{
        const sheet = document.getElementById('s').sheet;
        sheet.insertRule('.box { border-radius: 20px; }', sheet.cssRules.length);
        sheet.cssRules[0].style.setProperty('background', '#c33');
        sheet.deleteRule(1);
      }`);
    },
    expect: ['css'],
  },
  {
    name: 'presentational-attributes',
    feature: 'frameborder, marginwidth, table rules/frame, hr noshade, img hspace',
    html: doc(
      'Attributes',
      `<iframe src="/fidelity/inner.html" frameborder="0" marginwidth="0" marginheight="0" width="300" height="60"></iframe>
<table border="1" rules="cols" frame="void" cellpadding="6"><tr><td>one</td><td>two</td></tr><tr><td>three</td><td>four</td></tr></table>
<hr noshade size="4" width="300" align="left">
<p>before<img hspace="30" vspace="10" width="40" height="20" src="data:image/gif;base64,R0lGODlhAQABAIAAAP8AAP///ywAAAAAAQABAAACAkQBADs=">after</p>`,
    ),
    expect: [],
  },
  {
    name: 'focus-visible',
    feature: 'keyboard focus: the focus ring, :focus and :focus-within rules',
    html: doc(
      'Focus',
      `<style>form:focus-within { background: #eef6ff; } input:focus { border-color: #06c; }
input { border: 2px solid #999; padding: 6px; font-size: 16px; }</style>
<form><p><input id="a" placeholder="first"></p><p><input id="b" placeholder="second"></p></form>`,
    ),
    async after(page) {
      await page.locator('#a').focus();
      await page.keyboard.press('Tab');
    },
    expect: ['focus'],
  },
  {
    name: 'hover',
    feature: "the element under the customer's pointer: :hover rules",
    html: doc(
      'Hover',
      `<style>button { font-size: 18px; padding: 12px 24px; background: #eee; border: 1px solid #888; }
button:hover { background: #2a6f97; color: #fff; } li:hover { background: #fe8; }</style>
<button id="go">Pay now</button><ul><li>one</li><li id="two">two</li><li>three</li></ul>`,
    ),
    async after(page) {
      await page.locator('#go').hover();
    },
    expect: ['hover'],
  },
  {
    name: 'text-selection',
    feature: 'a selected range of text',
    html: doc(
      'Selection',
      `<style>::selection { background: #fc6; color: #000; }</style>
<p id="p">The quick brown fox jumps over the lazy dog, again and again.</p>`,
    ),
    async after(page) {
      await page.evaluate(`{
        const text = document.getElementById('p').firstChild;
        document.getSelection().setBaseAndExtent(text, 4, text, 19);
      }`);
    },
    expect: ['selection'],
  },
  {
    name: 'modal-dialog',
    feature: 'a modal <dialog> in the top layer, with its ::backdrop',
    html: doc(
      'Dialog',
      `<style>dialog::backdrop { background: rgba(0, 0, 80, .4); } dialog { border: 0; padding: 24px; }</style>
<p>Page behind the dialog.</p><dialog id="d"><p>Are you sure?</p><button>Yes</button></dialog>`,
    ),
    async after(page) {
      await page.evaluate(`document.getElementById('d').showModal()`);
    },
    expect: ['layer'],
  },
  {
    name: 'popover',
    feature: 'a popover shown by script (no attribute changes)',
    html: doc(
      'Popover',
      `<style>[popover] { border: 2px solid #333; padding: 16px; background: #ffd; }</style>
<p>Under the popover.</p><div id="tip" popover>Tip: this is a popover.</div>`,
    ),
    async after(page) {
      await page.evaluate(`document.getElementById('tip').showPopover()`);
    },
    expect: ['layer'],
  },
  {
    name: 'details-open',
    feature: '<details> opened by the customer',
    html: doc(
      'Details',
      `<details id="d"><summary>Shipping</summary><p>Two to three days.</p></details>`,
    ),
    async after(page) {
      await page.locator('summary').click();
    },
    expect: ['attr'],
  },
  {
    name: 'select-state',
    feature: '<select> chosen by the customer',
    html: doc(
      'Select',
      `<select id="s"><option>Small</option><option>Medium</option><option>Large</option></select>
<select id="m" multiple size="3"><option>Red</option><option>Green</option><option>Blue</option></select>`,
    ),
    async after(page) {
      await page.locator('#s').selectOption('Large');
      await page.locator('#m').selectOption(['Green', 'Blue']);
    },
    expect: ['input'],
  },
  {
    name: 'script-set-fields',
    feature: 'form state set by script, with no event: select value, checkbox, text value',
    html: doc(
      'Script-set fields',
      `<select id="s"><option>Small</option><option>Medium</option><option>Large</option></select>
<p><label><input id="c" type="checkbox"> Gift wrap</label></p><p><input id="t" value="before"></p>`,
    ),
    async after(page) {
      await page.evaluate(`{
        document.getElementById('s').value = 'Large';
        document.getElementById('c').checked = true;
        document.getElementById('t').value = 'set by script';
      }`);
    },
    expect: ['input'],
  },
  {
    name: 'custom-properties',
    feature: 'CSS custom properties set by script on the root and on a rule',
    html: doc(
      'Custom properties',
      `<style id="s">:root { --accent: #999; --pad: 4px; } .card { background: var(--accent);
padding: var(--pad); color: var(--ink, #000); width: 240px; }</style><div class="card">Card</div>`,
    ),
    async after(page) {
      await page.evaluate(`{
        document.documentElement.style.setProperty('--accent', '#3a7');
        document.getElementById('s').sheet.cssRules[0].style.setProperty('--pad', '24px');
      }`);
    },
    expect: ['attr', 'css'],
  },
  {
    name: 'font-face-api',
    feature: '@font-face loaded by script (FontFace API, from bytes)',
    html: doc('Fonts', `<p id="t" style="font-size: 28px">Loaded by script</p>`),
    async after(page) {
      await page.evaluate(`(async () => {
        const bytes = await (await fetch('/fidelity/font.ttf')).arrayBuffer();
        const face = new FontFace('Scripted', bytes);
        document.fonts.add(face);
        await face.load();
        document.getElementById('t').style.fontFamily = 'Scripted';
      })()`);
    },
    expect: ['sheets'],
  },
  {
    name: 'canvas-redraw',
    feature: 'a canvas redrawn after the snapshot',
    html: doc(
      'Canvas',
      `<canvas id="c" width="300" height="150"></canvas>
<script>const g = document.getElementById('c').getContext('2d');
g.fillStyle = '#ccc'; g.fillRect(0, 0, 300, 150);</script>`,
    ),
    async after(page) {
      await page.evaluate(`{
        const g = document.getElementById('c').getContext('2d');
        g.fillStyle = '#c33';
        g.beginPath();
        g.arc(150, 75, 60, 0, Math.PI * 2);
        g.fill();
        g.fillStyle = '#000';
        g.font = '20px sans-serif';
        g.fillText('redrawn', 110, 82);
      }`);
    },
    expect: ['canvas'],
  },
  {
    name: 'video-frame',
    feature: "a playing <video>'s current frame (a canvas stream, no src to load)",
    html: doc(
      'Video',
      `<video id="v" muted width="320" height="180"></video>
<canvas id="src" width="320" height="180" style="display:none"></canvas>
<script>const c = document.getElementById('src'); const g = c.getContext('2d');
g.fillStyle = '#246'; g.fillRect(0, 0, 320, 180); g.fillStyle = '#fd0'; g.fillRect(40, 40, 240, 100);
const v = document.getElementById('v'); v.srcObject = c.captureStream();
window.ready = v.play();</script>`,
    ),
    async after(page) {
      await page.evaluate(`ready.then(() => document.getElementById('v').pause())`);
    },
    expect: ['canvas'],
  },
  {
    name: 'masked-field',
    feature:
      'a masked field in a shadow root: focused, its text selected, drawn on a masked canvas',
    html: doc(
      'Masked',
      `<secret-box></secret-box>
<div data-tandem-mask><canvas id="mc" width="300" height="60"></canvas></div>
<script>
const sheet = new CSSStyleSheet();
sheet.replaceSync('input { font-size: 20px; padding: 6px; border: 2px solid #a33; }');
customElements.define('secret-box', class extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = '<label>PIN <input id="pin" type="password" autocomplete="one-time-code"></label>';
  }
});
</script>`,
    ),
    async after(page) {
      await page.locator('secret-box input').fill(SECRET);
      await page.evaluate(`{
        document.querySelector('secret-box').shadowRoot.querySelector('input').select();
        const g = document.getElementById('mc').getContext('2d');
        g.font = '24px sans-serif';
        g.fillText(${JSON.stringify(SECRET)}, 10, 40);
      }`);
    },
    expect: ['focus', 'input'],
  },
];

/** What the customer types on the masked page: it must never leave the page. */
export const SECRET = 'SeCrEt-4711-pin';

/** The inner page of the frame on the attributes page. */
export const INNER_PAGE = `<!doctype html><html><head><style>html,body{margin:0;background:#def}</style></head>
<body>inside the frame</body></html>`;
