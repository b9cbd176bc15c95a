/**
 * Live pictures: a `<canvas>` the page redraws and a `<video>` that plays are sent as images (the
 * agent's frame runs no scripts and plays nothing), at a bounded rate. Canvas drawing is noticed
 * by wrapping the 2D context's drawing methods (they only note the canvas, then draw); a WebGL
 * canvas and a playing video are looked at on every tick. A tick encodes only what changed since
 * the last one, and sends nothing when the image came out the same.
 *
 * Masking: nothing inside a masked or hidden element is ever encoded.
 */
import { LIMITS } from '../../src/protocol/index.ts';
import { guard } from './guard.ts';
import { isMaskedContext } from './masking.ts';

/** Methods of CanvasRenderingContext2D that change the bitmap. */
const DRAWING = [
  'fill',
  'stroke',
  'fillRect',
  'strokeRect',
  'clearRect',
  'fillText',
  'strokeText',
  'drawImage',
  'putImageData',
  'drawFocusIfNeeded',
  'reset',
];

/** The largest side a video frame is encoded at, in pixels: a frame is a hint, not a copy. */
const MAX_FRAME_SIDE = 1280;

/** A canvas's bitmap as a PNG data URL, or undefined when it is tainted or too large. */
export function canvasImage(el: HTMLCanvasElement): string | undefined {
  try {
    const data = el.toDataURL('image/png');
    return data.length > LIMITS.maxStringLength || data === 'data:,' ? undefined : data;
  } catch {
    return undefined; // A cross-origin image tainted it; the agent sees an empty canvas.
  }
}

/**
 * A video's current frame as a data URL, or undefined (no frame yet, or cross-origin): JPEG while
 * it plays (a moving picture hides the artefacts and PNG would cost several times the bytes),
 * PNG once it stops, a still the agent looks at.
 */
export function videoFrame(el: HTMLVideoElement): string | undefined {
  if (el.readyState < 2 || el.videoWidth === 0 || el.videoHeight === 0) return undefined;
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(el.videoWidth, el.videoHeight));
  const canvas = el.ownerDocument.createElement('canvas');
  canvas.width = Math.max(1, Math.round(el.videoWidth * scale));
  canvas.height = Math.max(1, Math.round(el.videoHeight * scale));
  try {
    canvas.getContext('2d')?.drawImage(el, 0, 0, canvas.width, canvas.height);
    const data = el.paused ? canvas.toDataURL('image/png') : canvas.toDataURL('image/jpeg', 0.8);
    return data.length > LIMITS.maxStringLength || data === 'data:,' ? undefined : data;
  } catch {
    return undefined; // A cross-origin video taints the canvas.
  }
}

/** The image to send for a canvas or a video, or undefined for none. */
export function elementImage(el: Element): string | undefined {
  if (isMaskedContext(el)) return undefined;
  if (el.localName === 'canvas') return canvasImage(el as HTMLCanvasElement);
  if (el.localName === 'video') return videoFrame(el as HTMLVideoElement);
  return undefined;
}

export interface MediaFramesOptions {
  win: Window;
  /** Least time between two looks at the pictures. Default 250 ms (at most 4 images a second each). */
  intervalMs?: number;
  /** The elements whose picture changed, to be sent in the next batch. */
  onChanged(elements: Element[]): void;
}

/** Watches canvases and videos for new pictures; returns its teardown. */
export function watchMediaFrames(options: MediaFramesOptions): {
  noteVideo(el: HTMLVideoElement): void;
  stop(): void;
} {
  const { win } = options;
  const w = win as Window & typeof globalThis;
  const interval = options.intervalMs ?? 250;
  const dirty = new Set<Element>();
  /** Canvases with a WebGL context and videos that play: looked at on every tick. */
  const live = new Set<Element>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const undo: Array<() => void> = [];

  const tick = guard((): void => {
    timer = undefined;
    for (const el of live) {
      if (!el.isConnected || (el.localName === 'video' && (el as HTMLVideoElement).paused)) {
        live.delete(el);
      }
      dirty.add(el);
    }
    const changed = [...dirty].filter((el) => el.isConnected);
    dirty.clear();
    if (changed.length > 0) options.onChanged(changed);
    if (live.size > 0) schedule();
  });

  function schedule(): void {
    if (timer === undefined) timer = setTimeout(tick, interval);
  }

  function mark(el: Element): void {
    dirty.add(el);
    schedule();
  }

  const proto = w.CanvasRenderingContext2D?.prototype as unknown as
    Record<string, unknown> | undefined;
  for (const name of DRAWING) {
    const original = proto?.[name];
    if (!proto || typeof original !== 'function') continue;
    const wrapped = function (this: CanvasRenderingContext2D, ...args: unknown[]): unknown {
      const result: unknown = (original as (...a: unknown[]) => unknown).apply(this, args);
      guard(() => mark(this.canvas))();
      return result;
    };
    proto[name] = wrapped;
    undo.push(() => {
      if (proto[name] === wrapped) proto[name] = original;
    });
  }
  const canvasProto = w.HTMLCanvasElement?.prototype as unknown as
    Record<string, unknown> | undefined;
  const getContext = canvasProto?.getContext;
  if (canvasProto && typeof getContext === 'function') {
    const wrapped = function (this: HTMLCanvasElement, ...args: unknown[]): unknown {
      const result: unknown = (getContext as (...a: unknown[]) => unknown).apply(this, args);
      guard(() => {
        // WebGL draws through no method worth wrapping one by one: looked at on every tick.
        if (typeof args[0] === 'string' && /webgl/i.test(args[0])) {
          live.add(this);
          schedule();
        }
      })();
      return result;
    };
    canvasProto.getContext = wrapped;
    undo.push(() => {
      if (canvasProto.getContext === wrapped) canvasProto.getContext = getContext;
    });
  }

  return {
    noteVideo(el) {
      if (!el.paused) live.add(el);
      mark(el);
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      for (const fn of undo.splice(0)) fn();
      dirty.clear();
      live.clear();
    },
  };
}
