import type { NodeId } from '../../src/protocol/index.ts';

/**
 * Node ids for one customer page: stable for a node's life, never reused, and held weakly so that
 * removed nodes can be collected.
 */
export class NodeIds {
  private readonly ids = new WeakMap<Node, NodeId>();
  private next = 1;

  /** The node's id, assigning a fresh one the first time the node is seen. */
  idOf(node: Node): NodeId {
    let id = this.ids.get(node);
    if (id === undefined) {
      id = this.next;
      this.next += 1;
      this.ids.set(node, id);
    }
    return id;
  }

  /** The node's id if it was ever serialized, without assigning one. */
  peek(node: Node): NodeId | undefined {
    return this.ids.get(node);
  }
}
