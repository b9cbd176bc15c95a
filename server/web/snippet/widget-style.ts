/** The widget's stylesheet. It lives in a closed shadow root, so host CSS cannot reach it. */
export const WIDGET_CSS = `
:host { all: initial; }
[hidden] { display: none !important; }
.panel {
  position: fixed; right: 16px; bottom: 16px; z-index: 2147483647;
  box-sizing: border-box; min-width: 220px; max-width: 320px; padding: 12px 14px;
  border-radius: 10px; background: #14213d; color: #fff; pointer-events: auto;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  box-shadow: 0 6px 24px rgba(0, 0, 0, 0.3);
}
.head { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin: 0 0 4px; }
.title { font-weight: 600; margin: 0; }
.fold {
  min-width: 32px; min-height: 28px; padding: 0 8px; border: 1px solid #5c6f99; border-radius: 6px;
  background: transparent; color: #fff; font: 600 16px/1 system-ui, sans-serif; cursor: pointer;
}
.code { font: 600 22px/1.3 ui-monospace, Menlo, Consolas, monospace; letter-spacing: 0.08em; margin: 2px 0 6px; }
.status { margin: 0 0 8px; color: #dfe6f3; }
.note { margin: 0 0 8px; color: #ffd166; }
.note:empty { display: none; }
.spoken { position: absolute; width: 1px; height: 1px; margin: 0; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.drawings { margin: 0 0 10px; padding: 8px; border-radius: 6px; background: #24365e; }
.drawings p { margin: 0 0 6px; }
.dismiss, .close, .share {
  display: block; width: 100%; padding: 6px 10px; border: 0; border-radius: 6px; cursor: pointer;
  background: #fff; color: #14213d; font: 600 14px/1.4 system-ui, sans-serif;
}
.close { margin-top: 4px; }
.share { margin: 0 0 8px; }
.end {
  display: block; width: 100%; padding: 6px 10px; border: 0; border-radius: 6px;
  background: #c1121f; color: #fff; font: 600 14px/1.4 system-ui, sans-serif; cursor: pointer;
}
.chip {
  position: fixed; right: 12px; bottom: 12px; z-index: 2147483647; pointer-events: auto;
  min-height: 44px; padding: 8px 14px; border: 0; border-radius: 999px; cursor: pointer;
  background: #14213d; color: #fff; font: 600 14px/1.4 system-ui, sans-serif;
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.3);
}
.chip::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 8px; border-radius: 50%; background: #2ec4b6; }
.end:focus-visible, .share:focus-visible, .fold:focus-visible, .dismiss:focus-visible, .close:focus-visible, .chip:focus-visible {
  outline: 3px solid #ffd166; outline-offset: 2px;
}
@media (max-width: 600px) {
  .panel { left: 8px; right: 8px; bottom: 8px; min-width: 0; max-width: none; padding: 10px 12px; }
  .code { font-size: 18px; }
}
.pointers { position: fixed; inset: 0; pointer-events: none; z-index: 2147483647; overflow: hidden; }
.pointer { position: absolute; left: 0; top: 0; pointer-events: none; transition: transform 60ms linear; }
.dot {
  width: 16px; height: 16px; margin: -8px 0 0 -8px; border-radius: 50%;
  background: rgba(230, 57, 70, 0.85); border: 2px solid #fff; box-shadow: 0 0 0 2px rgba(230, 57, 70, 0.4);
}
.label {
  margin: 4px 0 0 8px; padding: 1px 6px; border-radius: 4px; white-space: nowrap;
  background: #c1121f; color: #fff; font: 12px/1.4 system-ui, sans-serif;
}
`;
