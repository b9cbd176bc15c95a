/**
 * Each maintained Ingress controller's annotations for what Tandem needs: HTTPS to the pods,
 * WebSockets held open for an hour, and (when `stickySessions`) a cookie that pins a browser to
 * one pod, which Socket.IO's long-polling needs. Chosen by `ingress.preset`, or from the class.
 */
import type { CoBrowseCluster, IngressPreset } from '../api/types.ts';
import { objectNames } from './common.ts';

/** Name of the cookie the edge pins a browser to one pod with. */
export const stickyCookieName = 'tandem-route';

/** What a preset writes: on the Ingress, and on the Service (Traefik reads those there). */
export interface PresetAnnotations {
  ingress: Record<string, string>;
  service: Record<string, string>;
}

/** The preset a class name implies when the spec names none. */
export function presetForClass(className: string | undefined): IngressPreset {
  const name = className ?? '';
  if (name.includes('traefik')) return 'traefik';
  if (name.includes('haproxy')) return 'haproxy';
  if (name.includes('nginx-inc')) return 'nginx-inc';
  return 'ingress-nginx';
}

function ingressNginx(sticky: boolean): PresetAnnotations {
  const p = 'nginx.ingress.kubernetes.io';
  return {
    ingress: {
      [`${p}/backend-protocol`]: 'HTTPS',
      [`${p}/proxy-read-timeout`]: '3600',
      [`${p}/proxy-send-timeout`]: '3600',
      ...(sticky
        ? {
            [`${p}/affinity`]: 'cookie',
            [`${p}/affinity-mode`]: 'persistent',
            [`${p}/session-cookie-name`]: stickyCookieName,
            [`${p}/session-cookie-secure`]: 'true',
            [`${p}/session-cookie-samesite`]: 'None',
            [`${p}/session-cookie-path`]: '/',
          }
        : {}),
    },
    service: {},
  };
}

/** Traefik's Kubernetes Ingress provider: router options on the Ingress, the rest on the Service. */
function traefik(sticky: boolean): PresetAnnotations {
  const p = 'traefik.ingress.kubernetes.io';
  return {
    ingress: { [`${p}/router.tls`]: 'true' },
    service: {
      [`${p}/service.serversscheme`]: 'https',
      ...(sticky
        ? {
            [`${p}/service.sticky.cookie`]: 'true',
            [`${p}/service.sticky.cookie.name`]: stickyCookieName,
            [`${p}/service.sticky.cookie.secure`]: 'true',
            [`${p}/service.sticky.cookie.httponly`]: 'true',
            [`${p}/service.sticky.cookie.samesite`]: 'none',
          }
        : {}),
    },
  };
}

/** NGINX Inc's NGINX Ingress Controller (the sticky cookie needs NGINX Plus). */
function nginxInc(sticky: boolean, service: string): PresetAnnotations {
  return {
    ingress: {
      'nginx.org/ssl-services': service,
      'nginx.org/websocket-services': service,
      'nginx.org/proxy-read-timeout': '3600s',
      'nginx.org/proxy-send-timeout': '3600s',
      ...(sticky
        ? {
            'nginx.com/sticky-cookie-services': `serviceName=${service} ${stickyCookieName} path=/ secure httponly`,
          }
        : {}),
    },
    service: {},
  };
}

/** HAProxy Technologies' Kubernetes Ingress Controller. */
function haproxy(sticky: boolean): PresetAnnotations {
  return {
    ingress: {
      'haproxy.org/server-ssl': 'true',
      'haproxy.org/timeout-tunnel': '3600s',
      ...(sticky ? { 'haproxy.org/cookie-persistence': stickyCookieName } : {}),
    },
    service: {},
  };
}

/** The preset's annotations; the spec's own Ingress annotations come last and win. */
export function buildPresetAnnotations(cluster: CoBrowseCluster): PresetAnnotations {
  const { ingress } = cluster.spec;
  const sticky = ingress.stickySessions;
  const base =
    ingress.preset === 'traefik'
      ? traefik(sticky)
      : ingress.preset === 'haproxy'
        ? haproxy(sticky)
        : ingress.preset === 'nginx-inc'
          ? nginxInc(sticky, objectNames(cluster).server)
          : ingressNginx(sticky);
  return { ingress: { ...base.ingress, ...ingress.annotations }, service: base.service };
}
