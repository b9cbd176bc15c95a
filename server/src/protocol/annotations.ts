/**
 * Annotations: an agent draws on the customer's page (a box around an element, or a freehand
 * stroke that fades) without control, with the monitor privilege. The snippet draws them in its
 * own shadow-rooted overlay, never into the page's DOM; every agent of the session sees them too;
 * the customer can dismiss them. Types and limits only, shared by snippet, console and server.
 */
import type { NodeId } from './dom.ts';

/** The bounds the server enforces on every annotation (and the console keeps to). */
export const ANNOTATION_LIMITS = {
  /** Points of one stroke (each an x and a y). */
  maxPoints: 256,
  /** Coordinates are CSS pixels of the customer's top document, from its top left corner. */
  maxCoordinate: 100_000,
  /** An annotation's id, chosen by the console: `[A-Za-z0-9_-]`. */
  maxIdLength: 32,
  /** Annotations one agent may send per second, on average; bursts of twice that. */
  perSecond: 8,
  /** How many of one agent's annotations a page keeps; older ones go first. */
  maxPerAgent: 20,
} as const;

/** How long a stroke stays before it has faded out, and a highlight before it goes. */
export const STROKE_FADE_MS = 5000;
export const HIGHLIGHT_MS = 30_000;

export type AnnotationShape =
  /** A box around an element of the serialized tree, following it as the page scrolls. */
  | { kind: 'highlight'; target: NodeId }
  /** A freehand line: `points` is flat (`x0, y0, x1, y1, …`), in document coordinates. */
  | { kind: 'stroke'; points: number[] };

/** What an agent sends. */
export interface AnnotationDraw {
  id: string;
  shape: AnnotationShape;
}

/** What the customer and every agent receive: the drawing and who made it. */
export interface Annotation extends AnnotationDraw {
  agentId: string;
  name: string;
}

/** Drawings went away: one agent's (`agentId`), or everyone's (null). */
export interface AnnotationsCleared {
  agentId: string | null;
  /** `customer` when the customer dismissed them. */
  by: 'agent' | 'customer';
}
