/** The widget's stylesheet. It lives in a closed shadow root, so host CSS cannot reach it. */
export const WIDGET_CSS = `
:host { all: initial; }
.panel {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483647;
  box-sizing: border-box; min-width: 220px; max-width: 320px; padding: 12px 14px;
  border-radius: 10px; background: #14213d; color: #fff; pointer-events: auto;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  box-shadow: 0 6px 24px rgba(0, 0, 0, 0.3);
}
.title { font-weight: 600; margin: 0 0 4px; }
.code { font: 600 22px/1.3 ui-monospace, Menlo, Consolas, monospace; letter-spacing: 0.08em; margin: 2px 0 6px; }
.status { margin: 0 0 10px; color: #dfe6f3; }
.end {
  display: block; width: 100%; padding: 6px 10px; border: 0; border-radius: 6px;
  background: #e63946; color: #fff; font: 600 14px/1.4 system-ui, sans-serif; cursor: pointer;
}
.end:focus-visible { outline: 2px solid #fff; outline-offset: 2px; }
.pointers { position: fixed; inset: 0; pointer-events: none; z-index: 2147483647; overflow: hidden; }
.pointer { position: absolute; left: 0; top: 0; pointer-events: none; transition: transform 60ms linear; }
.dot {
  width: 16px; height: 16px; margin: -8px 0 0 -8px; border-radius: 50%;
  background: rgba(230, 57, 70, 0.85); border: 2px solid #fff; box-shadow: 0 0 0 2px rgba(230, 57, 70, 0.4);
}
.label {
  margin: 4px 0 0 8px; padding: 1px 6px; border-radius: 4px; white-space: nowrap;
  background: #e63946; color: #fff; font: 12px/1.4 system-ui, sans-serif;
}
`;
