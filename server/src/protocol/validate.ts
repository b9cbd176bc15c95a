/**
 * Validators for every inbound message. Each takes `unknown` (what arrived on the wire) and
 * returns either the typed message or a failure that names the offending path. They never throw
 * and bound the work they do: node counts, depth and string lengths are checked as they walk.
 */
import type {
  DocumentNode,
  ElementNode,
  MutationOp,
  SelectionRange,
  SerializedNode,
} from './dom.ts';
import type { ErrorCode } from './errors.ts';
import { LIMITS } from './limits.ts';
import { ANNOTATION_LIMITS, type AnnotationDraw } from './annotations.ts';
import type {
  JoinRequest,
  PackedPageSnapshot,
  PageBatch,
  PageSnapshot,
  PointerPosition,
  ResumeRequest,
  StartRequest,
} from './messages.ts';

export type Parsed<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      code: Extract<ErrorCode, 'invalid_message' | 'payload_too_large'>;
      message: string;
    };

/** Thrown only inside this module to unwind a walk; every exported function catches it. */
class Invalid extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly tooLarge = false,
  ) {
    super(`${path}: ${reason}`);
  }
}

type Obj = Record<string, unknown>;

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Invalid(path, 'expected an object');
  }
  return value as Obj;
}

function onlyKeys(obj: Obj, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new Invalid(`${path}.${key}`, 'unknown field');
  }
}

function string(value: unknown, path: string, max: number = LIMITS.maxStringLength): string {
  if (typeof value !== 'string') throw new Invalid(path, 'expected a string');
  if (value.length > max) throw new Invalid(path, `longer than ${max} characters`, true);
  return value;
}

function finite(value: unknown, path: string, min = -1e9, max = 1e9): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Invalid(path, 'expected a finite number');
  }
  if (value < min || value > max) throw new Invalid(path, `outside ${min}..${max}`);
  return value;
}

function integer(value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = finite(value, path, min, max);
  if (!Number.isInteger(n)) throw new Invalid(path, 'expected an integer');
  return n;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new Invalid(path, 'expected a boolean');
  return value;
}

function array(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new Invalid(path, 'expected an array');
  if (value.length > max) throw new Invalid(path, `more than ${max} items`, true);
  return value;
}

function optional<T>(
  obj: Obj,
  key: string,
  path: string,
  parse: (v: unknown, p: string) => T,
): T | undefined {
  return obj[key] === undefined ? undefined : parse(obj[key], `${path}.${key}`);
}

const TAG = /^[a-z][a-z0-9._-]*(?::[a-z][a-z0-9._-]*)?$/;
// Control characters are exactly what an attribute name must not contain.
// eslint-disable-next-line no-control-regex
const ATTRIBUTE = /^[^\s"'>/=\u0000-\u001f]+$/;

const ANNOTATION_ID = /^[A-Za-z0-9_-]+$/;

function nodeId(value: unknown, path: string): number {
  return integer(value, path, 1, 2 ** 31 - 1);
}

/** Walks a tree of serialized nodes, counting nodes and depth against the limits. */
class TreeChecker {
  private nodes = 0;
  /** In a packed tree: the id a node without one takes. */
  private nextId = 1;

  constructor(private readonly maxNodes: number) {}

  document(value: unknown, path: string, depth: number): DocumentNode {
    const obj = object(value, path);
    onlyKeys(obj, ['type', 'id', 'children', 'scroll'], path);
    if (obj.type !== 'document') throw new Invalid(`${path}.type`, "expected 'document'");
    this.count(path, depth);
    const doc: DocumentNode = {
      type: 'document',
      id: nodeId(obj.id, `${path}.id`),
      children: this.children(obj.children, `${path}.children`, depth),
    };
    const scroll = optional(obj, 'scroll', path, scrollPosition);
    if (scroll) doc.scroll = scroll;
    return doc;
  }

  node(value: unknown, path: string, depth: number): SerializedNode {
    const obj = object(value, path);
    if (obj.type === 'text') {
      onlyKeys(obj, ['type', 'id', 'text'], path);
      this.count(path, depth);
      return {
        type: 'text',
        id: nodeId(obj.id, `${path}.id`),
        text: string(obj.text, `${path}.text`),
      };
    }
    if (obj.type !== 'element') throw new Invalid(`${path}.type`, "expected 'element' or 'text'");
    return this.element(obj, path, depth);
  }

  private element(obj: Obj, path: string, depth: number): ElementNode {
    onlyKeys(obj, ELEMENT_KEYS, path);
    this.count(path, depth);
    const tag = string(obj.tag, `${path}.tag`, LIMITS.maxTagLength);
    if (!TAG.test(tag)) throw new Invalid(`${path}.tag`, 'not a valid tag name');
    const el: ElementNode = {
      type: 'element',
      id: nodeId(obj.id, `${path}.id`),
      tag,
      attrs: attributes(obj.attrs, `${path}.attrs`),
      children: this.children(obj.children, `${path}.children`, depth),
    };
    elementFields(obj, path, el);
    if (obj.shadow !== undefined) el.shadow = this.children(obj.shadow, `${path}.shadow`, depth);
    if (obj.frame !== undefined) el.frame = this.document(obj.frame, `${path}.frame`, depth + 1);
    return el;
  }

  /** A packed tree (packed-tree.ts): `[id?, document]`. Ids follow the order of the text. */
  packedDocument(value: unknown, path: string, depth: number): DocumentNode {
    const list = array(value, path, 2);
    let explicit: number | undefined;
    let at = 0;
    if (typeof list[0] === 'number') {
      explicit = nodeId(list[0], `${path}[0]`);
      at = 1;
    }
    if (list.length !== at + 1) throw new Invalid(path, 'expected one document');
    const docPath = `${path}[${at}]`;
    const items = array(list[at], docPath, this.maxNodes + 2);
    if (items[0] !== '#document') throw new Invalid(`${docPath}[0]`, "expected '#document'");
    this.count(docPath, depth);
    const doc: DocumentNode = {
      type: 'document',
      id: this.packedId(explicit, docPath),
      children: [],
    };
    let first = 1;
    if (isPlainObject(items[1])) {
      const extras = items[1];
      onlyKeys(extras, ['scroll'], `${docPath}[1]`);
      const scroll = optional(extras, 'scroll', `${docPath}[1]`, scrollPosition);
      if (scroll) doc.scroll = scroll;
      first = 2;
    }
    this.packedItems(items, first, docPath, depth, doc.children);
    return doc;
  }

  /** Reads `list[first..]` as packed items (nodes, each perhaps after its id) into `out`. */
  private packedItems(
    list: unknown[],
    first: number,
    path: string,
    depth: number,
    out: SerializedNode[],
  ): void {
    let explicit: number | undefined;
    for (let i = first; i < list.length; i++) {
      const item = list[i];
      if (typeof item === 'number') {
        if (explicit !== undefined) throw new Invalid(`${path}[${i}]`, 'two ids in a row');
        explicit = nodeId(item, `${path}[${i}]`);
        continue;
      }
      out.push(this.packedNode(item, `${path}[${i}]`, depth + 1, explicit));
      explicit = undefined;
    }
    if (explicit !== undefined) throw new Invalid(path, 'an id with no node after it');
  }

  private packedNode(
    value: unknown,
    path: string,
    depth: number,
    explicit: number | undefined,
  ): SerializedNode {
    if (typeof value === 'string') {
      this.count(path, depth);
      return { type: 'text', id: this.packedId(explicit, path), text: string(value, path) };
    }
    const list = array(value, path, this.maxNodes + 3);
    this.count(path, depth);
    const tag = string(list[0], `${path}[0]`, LIMITS.maxTagLength);
    if (!TAG.test(tag)) throw new Invalid(`${path}[0]`, 'not a valid tag name');
    const el: ElementNode = {
      type: 'element',
      id: this.packedId(explicit, path),
      tag,
      attrs: Object.create(null) as Record<string, string>,
      children: [],
    };
    let first = 1;
    if (isPlainObject(list[1])) {
      el.attrs = attributes(list[1], `${path}[1]`);
      first = 2;
      if (isPlainObject(list[2])) {
        this.packedExtras(list[2], `${path}[2]`, depth, el);
        first = 3;
      }
    }
    this.packedItems(list, first, path, depth, el.children);
    return el;
  }

  private packedExtras(extras: Obj, path: string, depth: number, el: ElementNode): void {
    onlyKeys(extras, PACKED_EXTRAS, path);
    elementFields(extras, path, el);
    // Shadow before frame, whatever the order of the keys: ids follow this order.
    if (extras.shadow !== undefined) {
      el.shadow = [];
      const items = array(extras.shadow, `${path}.shadow`, this.maxNodes);
      this.packedItems(items, 0, `${path}.shadow`, depth, el.shadow);
    }
    if (extras.frame !== undefined) {
      el.frame = this.packedDocument(extras.frame, `${path}.frame`, depth + 1);
    }
  }

  /** The id of the next node read: the one written before it, or the one after the last. */
  private packedId(explicit: number | undefined, path: string): number {
    const id = explicit ?? nodeId(this.nextId, path);
    this.nextId = id + 1;
    return id;
  }

  private children(value: unknown, path: string, depth: number): SerializedNode[] {
    const items = array(value, path, this.maxNodes);
    return items.map((item, i) => this.node(item, `${path}[${i}]`, depth + 1));
  }

  private count(path: string, depth: number): void {
    this.nodes += 1;
    if (this.nodes > this.maxNodes)
      throw new Invalid(path, `more than ${this.maxNodes} nodes`, true);
    if (depth > LIMITS.maxDepth)
      throw new Invalid(path, `nested deeper than ${LIMITS.maxDepth}`, true);
  }
}

const ELEMENT_KEYS = [
  'type',
  'id',
  'tag',
  'ns',
  'attrs',
  'children',
  'shadow',
  'frame',
  'value',
  'checked',
  'selected',
  'scroll',
  'css',
  'canvas',
] as const;

/** Live form state, on an element or in an `input` operation. */
function formState(
  obj: Obj,
  path: string,
  target: { value?: string; checked?: boolean; selected?: boolean },
): void {
  const value = optional(obj, 'value', path, string);
  if (value !== undefined) target.value = value;
  const checked = optional(obj, 'checked', path, boolean);
  if (checked !== undefined) target.checked = checked;
  const selected = optional(obj, 'selected', path, boolean);
  if (selected !== undefined) target.selected = selected;
}

/** An element's fields besides tag, attributes and what it contains, in either form. */
function elementFields(obj: Obj, path: string, el: ElementNode): void {
  if (obj.ns !== undefined) {
    if (obj.ns !== 'svg' && obj.ns !== 'math')
      throw new Invalid(`${path}.ns`, "expected 'svg' or 'math'");
    el.ns = obj.ns;
  }
  formState(obj, path, el);
  const scroll = optional(obj, 'scroll', path, scrollPosition);
  if (scroll) el.scroll = scroll;
  const css = optional(obj, 'css', path, string);
  if (css !== undefined) el.css = css;
  const canvas = optional(obj, 'canvas', path, string);
  if (canvas !== undefined) el.canvas = canvas;
}

/** A packed element's extras: its fields besides those the packed form holds by position. */
const PACKED_EXTRAS: readonly string[] = ELEMENT_KEYS.filter(
  (key) => !['type', 'id', 'tag', 'attrs', 'children'].includes(key),
);

function isPlainObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function attributes(value: unknown, path: string): Record<string, string> {
  const obj = object(value, path);
  const keys = Object.keys(obj);
  if (keys.length > LIMITS.maxAttributesPerElement) {
    throw new Invalid(path, `more than ${LIMITS.maxAttributesPerElement} attributes`, true);
  }
  // A null-prototype object: an attribute named `__proto__` must stay an ordinary key.
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of keys) {
    attrs[attributeName(name, `${path}`)] = string(obj[name], `${path}.${name}`);
  }
  return attrs;
}

function attributeName(name: string, path: string): string {
  if (name.length === 0 || name.length > LIMITS.maxAttributeNameLength || !ATTRIBUTE.test(name)) {
    throw new Invalid(`${path}.${name.slice(0, 40)}`, 'not a valid attribute name');
  }
  return name;
}

function scrollPosition(value: unknown, path: string): { x: number; y: number } {
  const obj = object(value, path);
  onlyKeys(obj, ['x', 'y'], path);
  return { x: finite(obj.x, `${path}.x`), y: finite(obj.y, `${path}.y`) };
}

function viewport(value: unknown, path: string): { width: number; height: number } {
  const obj = object(value, path);
  onlyKeys(obj, ['width', 'height'], path);
  return {
    width: integer(obj.width, `${path}.width`, 0, 100_000),
    height: integer(obj.height, `${path}.height`, 0, 100_000),
  };
}

function selectionRange(value: unknown, path: string): SelectionRange {
  const obj = object(value, path);
  onlyKeys(obj, ['start', 'startOffset', 'end', 'endOffset'], path);
  return {
    start: nodeId(obj.start, `${path}.start`),
    startOffset: integer(obj.startOffset, `${path}.startOffset`, 0, LIMITS.maxStringLength),
    end: nodeId(obj.end, `${path}.end`),
    endOffset: integer(obj.endOffset, `${path}.endOffset`, 0, LIMITS.maxStringLength),
  };
}

function op(value: unknown, path: string, tree: TreeChecker): MutationOp {
  const obj = object(value, path);
  const id = (): number => nodeId(obj.id, `${path}.id`);
  switch (obj.op) {
    case 'add': {
      onlyKeys(obj, ['op', 'parent', 'before', 'node', 'shadow'], path);
      const added: MutationOp = {
        op: 'add',
        parent: nodeId(obj.parent, `${path}.parent`),
        before: obj.before === null ? null : nodeId(obj.before, `${path}.before`),
        node: tree.node(obj.node, `${path}.node`, 1),
      };
      if (obj.shadow !== undefined) added.shadow = boolean(obj.shadow, `${path}.shadow`);
      return added;
    }
    case 'remove':
      onlyKeys(obj, ['op', 'id'], path);
      return { op: 'remove', id: id() };
    case 'attr': {
      onlyKeys(obj, ['op', 'id', 'name', 'value'], path);
      const name = attributeName(
        string(obj.name, `${path}.name`, LIMITS.maxAttributeNameLength),
        path,
      );
      const attrValue = obj.value === null ? null : string(obj.value, `${path}.value`);
      return { op: 'attr', id: id(), name, value: attrValue };
    }
    case 'text':
      onlyKeys(obj, ['op', 'id', 'text'], path);
      return { op: 'text', id: id(), text: string(obj.text, `${path}.text`) };
    case 'input': {
      onlyKeys(obj, ['op', 'id', 'value', 'checked', 'selected'], path);
      const input: Extract<MutationOp, { op: 'input' }> = { op: 'input', id: id() };
      formState(obj, path, input);
      return input;
    }
    case 'scroll':
      onlyKeys(obj, ['op', 'id', 'x', 'y'], path);
      return {
        op: 'scroll',
        id: id(),
        x: finite(obj.x, `${path}.x`),
        y: finite(obj.y, `${path}.y`),
      };
    case 'frame':
      onlyKeys(obj, ['op', 'id', 'doc'], path);
      return {
        op: 'frame',
        id: id(),
        doc: obj.doc === null ? null : tree.document(obj.doc, `${path}.doc`, 1),
      };
    case 'css':
      onlyKeys(obj, ['op', 'id', 'css'], path);
      return { op: 'css', id: id(), css: string(obj.css, `${path}.css`) };
    case 'canvas':
      onlyKeys(obj, ['op', 'id', 'data'], path);
      return { op: 'canvas', id: id(), data: string(obj.data, `${path}.data`) };
    case 'sheets': {
      onlyKeys(obj, ['op', 'id', 'sheets'], path);
      const sheets = array(obj.sheets, `${path}.sheets`, LIMITS.maxSheets);
      return {
        op: 'sheets',
        id: id(),
        sheets: sheets.map((css, i) => string(css, `${path}.sheets[${i}]`)),
      };
    }
    case 'focus':
      onlyKeys(obj, ['op', 'id', 'visible'], path);
      return {
        op: 'focus',
        id: obj.id === null ? null : id(),
        visible: boolean(obj.visible, `${path}.visible`),
      };
    case 'hover':
      onlyKeys(obj, ['op', 'id'], path);
      return { op: 'hover', id: obj.id === null ? null : id() };
    case 'selection': {
      onlyKeys(obj, ['op', 'id', 'ranges'], path);
      const ranges = array(obj.ranges, `${path}.ranges`, LIMITS.maxSelectionRanges);
      return {
        op: 'selection',
        id: id(),
        ranges: ranges.map((range, i) => selectionRange(range, `${path}.ranges[${i}]`)),
      };
    }
    case 'layer': {
      onlyKeys(obj, ['op', 'id', 'layer'], path);
      const layer = obj.layer;
      if (layer !== null && layer !== 'modal' && layer !== 'popover') {
        throw new Invalid(`${path}.layer`, "expected 'modal', 'popover' or null");
      }
      return { op: 'layer', id: id(), layer };
    }
    case 'viewport': {
      onlyKeys(obj, ['op', 'width', 'height'], path);
      const size = viewport({ width: obj.width, height: obj.height }, path);
      return { op: 'viewport', ...size };
    }
    default:
      throw new Invalid(`${path}.op`, 'unknown operation');
  }
}

function run<T>(parse: () => T): Parsed<T> {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof Invalid) {
      return {
        ok: false,
        code: error.tooLarge ? 'payload_too_large' : 'invalid_message',
        message: error.message,
      };
    }
    // A RangeError from a pathological input (for example a cyclic structure) is still bad input.
    return { ok: false, code: 'invalid_message', message: 'message could not be read' };
  }
}

/** Inflates raw deflate data, refusing output beyond `maxBytes` (throws). Node's zlib on the server. */
export type InflateRaw = (data: Uint8Array, maxBytes: number) => Uint8Array;

/**
 * A snapshot's outer shape, without inflating or reading a packed tree: what may be checked
 * before the session and the byte budgets are (the server inflates only after them). A plain
 * tree is read at once, as it came parsed; a packed one (`tree` in the value) is left as bytes,
 * its size and compression checked, for `parsePackedTree`.
 */
export function parseSnapshotEnvelope(
  input: unknown,
  maxNodes: number = LIMITS.maxNodes,
): Parsed<PageSnapshot | PackedPageSnapshot> {
  return run(() => {
    const obj = object(input, 'snapshot');
    const packed = obj.doc === undefined;
    onlyKeys(
      obj,
      ['seq', 'url', 'title', 'viewport', ...(packed ? ['tree', 'compression'] : ['doc'])],
      'snapshot',
    );
    const head = {
      seq: integer(obj.seq, 'snapshot.seq'),
      url: string(obj.url, 'snapshot.url', LIMITS.maxUrlLength),
      title: string(obj.title, 'snapshot.title', 1024),
      viewport: viewport(obj.viewport, 'snapshot.viewport'),
    };
    if (!packed)
      return { ...head, doc: new TreeChecker(maxNodes).document(obj.doc, 'snapshot.doc', 0) };
    const tree = obj.tree;
    if (!(tree instanceof Uint8Array)) throw new Invalid('snapshot.tree', 'expected binary data');
    if (tree.byteLength > LIMITS.maxMessageBytes) {
      throw new Invalid('snapshot.tree', `larger than ${LIMITS.maxMessageBytes} bytes`, true);
    }
    const compression = obj.compression;
    if (compression !== 'deflate-raw' && compression !== 'none') {
      throw new Invalid('snapshot.compression', "expected 'deflate-raw' or 'none'");
    }
    return { ...head, tree, compression };
  });
}

/** Reads a packed snapshot's tree from its raw (inflated) bytes: UTF-8, JSON, then the tree's own checks. */
export function parsePackedTree(
  packed: PackedPageSnapshot,
  raw: Uint8Array,
  maxNodes: number = LIMITS.maxNodes,
): Parsed<PageSnapshot> {
  return run(() => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new Invalid('snapshot.tree', 'not valid UTF-8');
    }
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      throw new Invalid('snapshot.tree', 'not valid JSON');
    }
    const { seq, url, title, viewport: size } = packed;
    const doc = new TreeChecker(maxNodes).packedDocument(json, 'snapshot.tree', 0);
    return { seq, url, title, viewport: size, doc };
  });
}

/** Why inflating a packed tree failed, as a refusal. */
export function inflateFailure(error: unknown, maxBytes: number): Parsed<never> {
  // Node says RangeError (ERR_BUFFER_TOO_LARGE) for output beyond the bound.
  return error instanceof RangeError
    ? {
        ok: false,
        code: 'payload_too_large',
        message: `snapshot.tree: inflates beyond ${maxBytes} bytes`,
      }
    : { ok: false, code: 'invalid_message', message: 'snapshot.tree: not valid deflate data' };
}

/**
 * A snapshot, in either form, read at once: the plain tree as `doc`, or the packed tree
 * (packed-tree.ts) as UTF-8 bytes in `tree`, deflated when `compression` is `deflate-raw` (what
 * the snippet sends). The server reads it in two steps instead (`parseSnapshotEnvelope`, then
 * `parsePackedTree` after an asynchronous, budgeted inflate); tools and tests use this one.
 */
export function parseSnapshot(
  input: unknown,
  maxNodes: number = LIMITS.maxNodes,
  inflateRaw?: InflateRaw,
): Parsed<PageSnapshot> {
  const envelope = parseSnapshotEnvelope(input, maxNodes);
  if (!envelope.ok) return envelope;
  const packed = envelope.value;
  if (!('tree' in packed)) return { ok: true, value: packed };
  let raw = packed.tree;
  if (packed.compression === 'deflate-raw') {
    if (!inflateRaw)
      return {
        ok: false,
        code: 'invalid_message',
        message: 'snapshot.compression: not supported here',
      };
    try {
      raw = inflateRaw(packed.tree, LIMITS.maxMessageBytes);
    } catch (error) {
      return inflateFailure(error, LIMITS.maxMessageBytes);
    }
  }
  return parsePackedTree(packed, raw, maxNodes);
}

export function parseBatch(input: unknown, maxNodes: number = LIMITS.maxNodes): Parsed<PageBatch> {
  return run(() => {
    const obj = object(input, 'batch');
    onlyKeys(obj, ['seq', 'sentAt', 'ops', 'pointer'], 'batch');
    const tree = new TreeChecker(maxNodes);
    const ops = array(obj.ops, 'batch.ops', LIMITS.maxOpsPerBatch);
    const batch: PageBatch = {
      seq: integer(obj.seq, 'batch.seq'),
      sentAt: finite(obj.sentAt, 'batch.sentAt', 0, 1e15),
      ops: ops.map((item, i) => op(item, `batch.ops[${i}]`, tree)),
    };
    if (obj.pointer !== undefined) batch.pointer = position(obj.pointer, 'batch.pointer');
    return batch;
  });
}

/** The coordinates of a pointer position in the top document's viewport: two finite numbers. */
function coordinates(obj: Obj, path: string): PointerPosition {
  return { x: finite(obj.x, `${path}.x`, -1e6, 1e6), y: finite(obj.y, `${path}.y`, -1e6, 1e7) };
}

/** A pointer position that a batch carries: its coordinates, nothing else. */
function position(value: unknown, path: string): PointerPosition {
  const obj = object(value, path);
  onlyKeys(obj, ['x', 'y'], path);
  return coordinates(obj, path);
}

export function parsePointer(input: unknown): Parsed<PointerPosition & { target?: number }> {
  return run(() => {
    const obj = object(input, 'pointer');
    onlyKeys(obj, ['x', 'y', 'target'], 'pointer');
    const pointer: PointerPosition & { target?: number } = coordinates(obj, 'pointer');
    if (obj.target !== undefined) pointer.target = nodeId(obj.target, 'pointer.target');
    return pointer;
  });
}

/** An agent's drawing: an id of its own, and a highlight of a node or a stroke of whole pixels. */
export function parseAnnotationDraw(input: unknown): Parsed<AnnotationDraw> {
  return run(() => {
    const obj = object(input, 'annotation');
    onlyKeys(obj, ['id', 'shape'], 'annotation');
    const id = string(obj.id, 'annotation.id', ANNOTATION_LIMITS.maxIdLength);
    if (!ANNOTATION_ID.test(id)) throw new Invalid('annotation.id', 'expected [A-Za-z0-9_-]+');
    const shape = object(obj.shape, 'annotation.shape');
    if (shape.kind === 'highlight') {
      onlyKeys(shape, ['kind', 'target'], 'annotation.shape');
      return {
        id,
        shape: { kind: 'highlight', target: nodeId(shape.target, 'annotation.shape.target') },
      };
    }
    if (shape.kind !== 'stroke')
      throw new Invalid('annotation.shape.kind', 'expected "highlight" or "stroke"');
    onlyKeys(shape, ['kind', 'points'], 'annotation.shape');
    const raw = array(shape.points, 'annotation.shape.points', 2 * ANNOTATION_LIMITS.maxPoints);
    if (raw.length < 2 || raw.length % 2 !== 0)
      throw new Invalid('annotation.shape.points', 'expected pairs of coordinates');
    const max = ANNOTATION_LIMITS.maxCoordinate;
    const points = raw.map((v, i) => integer(v, `annotation.shape.points[${i}]`, 0, max));
    return { id, shape: { kind: 'stroke', points } };
  });
}

export function parseStartRequest(input: unknown): Parsed<StartRequest> {
  return run(() => {
    const obj = object(input, 'start');
    onlyKeys(obj, ['protocol', 'url'], 'start');
    return {
      protocol: integer(obj.protocol, 'start.protocol', 0, 1000),
      url: string(obj.url, 'start.url', LIMITS.maxUrlLength),
    };
  });
}

export function parseResumeRequest(input: unknown): Parsed<ResumeRequest> {
  return run(() => {
    const obj = object(input, 'resume');
    onlyKeys(obj, ['protocol', 'sessionId', 'token'], 'resume');
    return {
      protocol: integer(obj.protocol, 'resume.protocol', 0, 1000),
      sessionId: string(obj.sessionId, 'resume.sessionId', 64),
      token: string(obj.token, 'resume.token', 128),
    };
  });
}

export function parseJoinRequest(input: unknown): Parsed<JoinRequest> {
  return run(() => {
    const obj = object(input, 'join');
    onlyKeys(obj, ['protocol', 'code', 'name'], 'join');
    const req: JoinRequest = {
      protocol: integer(obj.protocol, 'join.protocol', 0, 1000),
      code: string(obj.code, 'join.code', 32),
    };
    const name = optional(obj, 'name', 'join', (v, p) => string(v, p, 80));
    if (name !== undefined) req.name = name;
    return req;
  });
}
