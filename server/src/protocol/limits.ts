/** Bounds every peer can rely on; the server enforces them (some are configurable lower). */
export const LIMITS = {
  /** Largest message the transport accepts at all (a full snapshot of a large page). */
  maxMessageBytes: 8 * 1024 * 1024,
  /** Nodes in one snapshot or one batch. */
  maxNodes: 100_000,
  /** Nesting depth of the serialized tree (frames and shadow roots count). */
  maxDepth: 512,
  /** Operations in one batch. */
  maxOpsPerBatch: 5_000,
  maxTagLength: 64,
  maxAttributeNameLength: 256,
  maxAttributesPerElement: 256,
  /** A text node, attribute value, CSS text or canvas image. */
  maxStringLength: 2 * 1024 * 1024,
  maxUrlLength: 8 * 1024,
  /** Adopted style sheets of one document or shadow root, in a `sheets` operation. */
  maxSheets: 256,
  /** Ranges of one text selection. */
  maxSelectionRanges: 16,
} as const;
