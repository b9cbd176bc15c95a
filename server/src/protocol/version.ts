/** The wire protocol version. A client speaking another version is refused at `session:start`/`session:join`. */
export const PROTOCOL_VERSION = 1;

/** Socket.IO namespaces: one for the customer's page, one for agent consoles. */
export const CUSTOMER_NAMESPACE = '/customer';
export const AGENT_NAMESPACE = '/agent';
