/**
 * The allowlists the sanitizer keeps a page to. Adapted from DOMPurify's lists (tags.js, attrs.js)
 * minus everything that can run script, navigate, re-base, embed plugins or post forms. An element
 * or attribute not listed here never reaches an agent.
 */

const words = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/));

/** HTML elements that are kept. Unknown tags become `<span>`; custom elements are kept. */
export const HTML_TAGS = words(`
  a abbr acronym address area article aside audio b bdi bdo big blink blockquote body br button
  canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl
  dt em fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html
  i iframe img input ins kbd label legend li link main map mark marquee menu meter nav nobr ol
  optgroup option output p picture pre progress q rp rt ruby s samp search section select shadow
  slot small source spacer span strike strong style sub summary sup table tbody td template
  textarea tfoot th thead time title tr track tt u ul var video wbr meta
`);

/** Removed with everything inside them: they run, embed, navigate or re-base. */
export const DROPPED_TAGS = words(`
  script noscript base object embed applet param frame frameset noembed noframes portal
  fencedframe xmp plaintext listing image isindex keygen
`);

export const SVG_TAGS = words(`
  svg a altglyph altglyphdef altglyphitem circle clippath defs desc ellipse filter
  font g glyph glyphref hkern image line lineargradient marker mask metadata mpath path pattern
  polygon polyline radialgradient rect stop style switch symbol text textpath title tref tspan
  view vkern use feblend fecolormatrix fecomponenttransfer fecomposite feconvolvematrix
  fediffuselighting fedisplacementmap fedistantlight fedropshadow feflood fefunca fefuncb
  fefuncg fefuncr fegaussianblur feimage femerge femergenode femorphology feoffset fepointlight
  fespecularlighting fespotlight fetile feturbulence
`);

export const MATH_TAGS = words(`
  math menclose merror mfenced mfrac mglyph mi mlabeledtr mmultiscripts mn mo mover mpadded
  mphantom mroot mrow ms mspace msqrt mstyle msub msup msubsup mtable mtd mtext mtr munder
  munderover mprescripts none semantics annotation
`);

/**
 * HTML attributes that are kept. Presentational ones (`frameborder`, `marginwidth`, `hspace`,
 * `rules`, `noshade`, body `text`/`link`/`vlink`...) change the layout or colours when dropped,
 * and `part`/`exportparts` carry `::part()` styles into shadow trees; none of them runs anything.
 */
export const HTML_ATTRIBUTES = words(`
  abbr accept accept-charset accesskey align alink allow alt autocapitalize autocomplete
  autocorrect autofocus autoplay background bgcolor border capture cellpadding cellspacing
  charset checked cite class clear color cols colspan content contenteditable controls coords
  crossorigin datetime decoding default dir dirname disabled download draggable enctype
  enterkeyhint face for headers height hidden high href hreflang id inert inputmode integrity
  ismap itemprop itemscope itemtype kind label lang list loading loop low max maxlength media
  method min minlength multiple muted name nowrap open optimum pattern placeholder playsinline
  popover popovertarget popovertargetaction poster preload pubdate radiogroup readonly referrerpolicy
  rel required rev reversed role rows rowspan spellcheck scope selected shape size sizes slot span
  srclang src srcset start step style summary tabindex title translate type usemap valign value
  width wrap xmlns imagesrcset imagesizes
  frameborder scrolling marginwidth marginheight hspace vspace frame rules noshade compact
  text link vlink bordercolor char charoff axis part exportparts
`);

export const SVG_ATTRIBUTES = words(`
  accent-height accumulate additive alignment-baseline ascent attributename attributetype azimuth
  basefrequency baseline-shift begin bias by class clip clippathunits clip-path clip-rule color
  color-interpolation color-interpolation-filters color-profile color-rendering cx cy d dx dy
  diffuseconstant direction display divisor dominant-baseline dur edgemode elevation end exponent
  fill fill-opacity fill-rule filter filterunits flood-color flood-opacity font-family font-size
  font-size-adjust font-stretch font-style font-variant font-weight fx fy g1 g2 glyph-name
  glyphref gradientunits gradienttransform height href id image-rendering in in2 intercept k k1
  k2 k3 k4 kerning keypoints keysplines keytimes lang lengthadjust letter-spacing kernelmatrix
  kernelunitlength lighting-color local marker-end marker-mid marker-start markerheight
  markerunits markerwidth maskcontentunits maskunits max mask media method mode min name
  numoctaves offset operator opacity order orient orientation origin overflow paint-order path
  pathlength patterncontentunits patterntransform patternunits points pointer-events
  preservealpha preserveaspectratio primitiveunits r rx ry radius refx refy repeatcount repeatdur
  restart result rotate scale seed shape-rendering slope specularconstant specularexponent
  spreadmethod startoffset stddeviation stitchtiles stop-color stop-opacity stroke-dasharray
  stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity stroke
  stroke-width style surfacescale systemlanguage tabindex tablevalues targetx targety transform
  transform-origin text-anchor text-decoration text-rendering textlength type u1 u2 unicode
  values viewbox visibility version vert-adv-y vert-origin-x vert-origin-y width word-spacing
  wrap writing-mode xchannelselector ychannelselector x x1 x2 xmlns y y1 y2 z zoomandpan
  xlink:href xlink:title xml:space xmlns:xlink role
`);

export const MATH_ATTRIBUTES = words(`
  accent accentunder align bevelled close columnsalign columnlines columnspan denomalign depth
  dir display displaystyle encoding fence frame height largeop length linethickness lspace
  lquote mathbackground mathcolor mathsize mathvariant maxsize minsize movablelimits notation
  numalign open rowalign rowlines rowspacing rowspan rspace rquote scriptlevel
  scriptminsize scriptsizemultiplier selection separator separators stretchy subscriptshift
  supscriptshift symmetric voffset width xmlns class id style role
`);

/** Attributes whose value is one URL. */
export const URL_ATTRIBUTES = words(`
  href src xlink:href action formaction poster cite background longdesc data codebase manifest
  icon ping lowsrc dynsrc usemap
`);

/** Attributes whose value is a list of URL candidates. */
export const SRCSET_ATTRIBUTES = words('srcset imagesrcset');

/** Schemes a URL may use; anything else (javascript:, vbscript:, blob:, file:...) is refused. */
export const URL_SCHEMES = words('http https mailto tel');

/** `data:` URLs allowed in image attributes: raster images only (an SVG document could script). */
export const DATA_IMAGE =
  /^data:image\/(?:png|gif|jpe?g|webp|bmp|avif|x-icon|vnd\.microsoft\.icon)[;,]/i;

/** `data:` URLs allowed inside CSS, where images and fonts are inert. */
export const CSS_DATA =
  /^data:(?:image\/[a-z0-9.+-]+|font\/[a-z0-9.+-]+|application\/(?:x-)?font-[a-z0-9.+-]+)[;,]/i;
