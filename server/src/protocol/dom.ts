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
  | { op: 'canvas'; id: NodeId; data: string }
  | { op: 'viewport'; width: number; height: number };

export type MutationKind = MutationOp['op'];
