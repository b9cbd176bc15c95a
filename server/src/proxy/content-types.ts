/**
 * The only kinds of resource the proxy passes on: stylesheets, images and fonts. The upstream's
 * type is reduced to a plain MIME type from a fixed list; fonts served as
 * `application/octet-stream` (common on CDNs) are recognised by their file extension.
 */

export type ResourceKind = 'css' | 'image' | 'font';

const IMAGE_TYPES = new Set([
  'image/png',
  'image/apng',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/svg+xml',
  'image/x-icon',
  'image/vnd.microsoft.icon',
  'image/bmp',
]);

const FONT_TYPES: Record<string, string> = {
  'font/woff': 'font/woff',
  'font/woff2': 'font/woff2',
  'font/ttf': 'font/ttf',
  'font/otf': 'font/otf',
  'font/sfnt': 'font/sfnt',
  'font/collection': 'font/collection',
  'application/font-woff': 'font/woff',
  'application/x-font-woff': 'font/woff',
  'application/font-woff2': 'font/woff2',
  'application/x-font-ttf': 'font/ttf',
  'application/x-font-truetype': 'font/ttf',
  'application/x-font-otf': 'font/otf',
  'application/x-font-opentype': 'font/otf',
  'application/font-sfnt': 'font/sfnt',
  'application/vnd.ms-fontobject': 'application/vnd.ms-fontobject',
};

const FONT_EXTENSIONS: Record<string, string> = {
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  eot: 'application/vnd.ms-fontobject',
};

export interface AllowedType {
  kind: ResourceKind;
  /** The `Content-Type` the proxy sends. */
  type: string;
}

/** The kind and type to serve, or null when the upstream type is not a stylesheet, image or font. */
export function classifyContentType(header: string | undefined, url: URL): AllowedType | null {
  const mime = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'text/css') return { kind: 'css', type: 'text/css; charset=utf-8' };
  if (IMAGE_TYPES.has(mime)) return { kind: 'image', type: mime };
  const font = FONT_TYPES[mime];
  if (font) return { kind: 'font', type: font };
  if (mime === '' || mime === 'application/octet-stream' || mime === 'binary/octet-stream') {
    const extension = url.pathname.split('.').pop()?.toLowerCase() ?? '';
    const byExtension = FONT_EXTENSIONS[extension];
    if (byExtension) return { kind: 'font', type: byExtension };
  }
  return null;
}
