/**
 * The catalogue of reasons the resource proxy refuses a request. Codes are stable (they label the
 * refusal counter and the log line); messages are for people. The agent sees only the code and
 * the status: never an upstream address or body.
 */
export const PROXY_ERRORS = {
  bad_token: { status: 403, message: 'The resource URL is not signed by this server.' },
  token_expired: { status: 403, message: 'The resource URL has expired.' },
  session_gone: { status: 403, message: 'The session has ended.' },
  bad_url: { status: 403, message: 'The resource URL is not a valid URL.' },
  scheme_not_allowed: { status: 403, message: 'Only http and https resources are fetched.' },
  port_not_allowed: { status: 403, message: 'The port is not allowed.' },
  domain_not_allowed: { status: 403, message: 'The domain is not in allowedExternalDomains.' },
  address_not_allowed: { status: 403, message: 'The host resolves to a non-public address.' },
  dns_failed: { status: 502, message: 'The host name did not resolve.' },
  too_many_redirects: { status: 502, message: 'The resource redirected too many times.' },
  bad_redirect: { status: 502, message: 'The resource redirected without a valid location.' },
  type_not_allowed: { status: 403, message: 'Only stylesheets, images and fonts are fetched.' },
  too_large: { status: 502, message: 'The resource is larger than the proxy accepts.' },
  upstream_status: { status: 502, message: 'The resource answered with an error.' },
  upstream_timeout: { status: 504, message: 'The resource did not answer in time.' },
  upstream_error: { status: 502, message: 'The resource could not be fetched.' },
  forward_proxy_error: { status: 502, message: 'The forward proxy refused the request.' },
} as const;

export type ProxyErrorCode = keyof typeof PROXY_ERRORS;

export interface ProxyFailure {
  ok: false;
  code: ProxyErrorCode;
  /** For logs only; may name hosts and addresses, so it is never sent to the agent. */
  message: string;
}

export function proxyFailure(code: ProxyErrorCode, message?: string): ProxyFailure {
  return { ok: false, code, message: message ?? PROXY_ERRORS[code].message };
}

export function statusOf(code: ProxyErrorCode): number {
  return PROXY_ERRORS[code].status;
}
