/**
 * The serialized page: what the snippet sends and the agent console rebuilds.
 * Every node carries an id that is unique within one session's stream and stable for the node's
 * lifetime, so that mutations can name their targets.
 */
export type NodeId = number;

export interface ScrollPosition {
  x: number;
  y: number;
}

export interface Viewport {
  width: number;
  height: number;
}

export interface DocumentNode {
  type: 'document';
  id: NodeId;
  /** The document's root element (`<html>`) and any nodes beside it. */
  children: SerializedNode[];
  /** Scroll position of the document's viewport. */
  scroll?: ScrollPosition;
}

export interface ElementNode {
  type: 'element';
  id: NodeId;
  /** Lower-case tag name. */
  tag: string;
  /** Namespace for SVG and MathML elements; HTML when absent. */
  ns?: 'svg' | 'math';
  attrs: Record<string, string>;
  children: SerializedNode[];
  /** Children of an open shadow root. */
  shadow?: SerializedNode[];
  /** The document inside a same-origin `<iframe>`. */
  frame?: DocumentNode;
  /** Live form state, which attributes do not carry. */
  value?: string;
  checked?: boolean;
  selected?: boolean;
  /** Scroll position of a scrolled element. */
  scroll?: ScrollPosition;
  /** For `<style>`: the rules as the CSSOM holds them, including those inserted by script. */
  css?: string;
  /** For `<canvas>`: its bitmap as a `data:image/png` URL. */
  canvas?: string;
}

export interface TextNode {
  type: 'text';
  id: NodeId;
  text: string;
}

export type SerializedNode = ElementNode | TextNode;

/**
 * One range of a text selection, from a node and offset to another. Offsets count characters in
 * a text node and children in an element; in an `<input>` or `<textarea>` (start and end both
 * its id) they count characters of its value.
 */
export interface SelectionRange {
  start: NodeId;
  startOffset: number;
  end: NodeId;
  endOffset: number;
}

/** What puts an element in the top layer: a modal `<dialog>`, or an open popover. */
export type TopLayer = 'modal' | 'popover';

/** One incremental change. A batch applies its operations in order. */
export type MutationOp =
  | { op: 'add'; parent: NodeId; before: NodeId | null; node: SerializedNode; shadow?: boolean }
  | { op: 'remove'; id: NodeId }
  | { op: 'attr'; id: NodeId; name: string; value: string | null }
  | { op: 'text'; id: NodeId; text: string }
  | { op: 'input'; id: NodeId; value?: string; checked?: boolean; selected?: boolean }
  | { op: 'scroll'; id: NodeId; x: number; y: number }
  | { op: 'frame'; id: NodeId; doc: DocumentNode | null }
  | { op: 'css'; id: NodeId; css: string }
  /** A `<canvas>` bitmap (PNG) or a `<video>`'s current frame (PNG or JPEG), as a data URL. */
  | { op: 'canvas'; id: NodeId; data: string }
  | { op: 'viewport'; width: number; height: number }
  /**
   * The adopted style sheets of a document (its id) or of a shadow root (its host's id), each as
   * its CSS text, in order; replaces the list. Font faces the page added by script (the FontFace
   * API) travel as one more sheet of `@font-face` rules in their document's list.
   */
  | { op: 'sheets'; id: NodeId; sheets: string[] }
  /** The focused element, innermost across shadow roots and frames, or null; `visible`: `:focus-visible`. */
  | { op: 'focus'; id: NodeId | null; visible: boolean }
  /** The innermost element under the customer's pointer, or null. */
  | { op: 'hover'; id: NodeId | null }
  /** The text selection of a document (its id); no ranges when nothing is selected. */
  | { op: 'selection'; id: NodeId; ranges: SelectionRange[] }
  /** An element entered the top layer (a modal dialog, an open popover) or left it (null). */
  | { op: 'layer'; id: NodeId; layer: TopLayer | null };

export type MutationKind = MutationOp['op'];
