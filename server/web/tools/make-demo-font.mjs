// Generates server/web/demo/tandem-pixel.ttf: a tiny, valid TrueType font (a 5×7 pixel face,
// upper case, digits and a little punctuation; lower case maps to upper case). The demo page uses
// it to show that web fonts reach the agent. Run: node server/web/tools/make-demo-font.mjs
import { writeFile } from 'node:fs/promises';

const ROWS = {
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
  D: ['####.', '#...#', '#...#', '#...#', '#...#', '#...#', '####.'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  J: ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
  K: ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  N: ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  Q: ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  V: ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  Z: ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
  0: ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  1: ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  2: ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  3: ['####.', '....#', '....#', '.###.', '....#', '....#', '####.'],
  4: ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  5: ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  6: ['.###.', '#....', '#....', '####.', '#...#', '#...#', '.###.'],
  7: ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  8: ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  9: ['.###.', '#...#', '#...#', '.####', '....#', '....#', '.###.'],
  '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
  ',': ['.....', '.....', '.....', '.....', '.##..', '..#..', '.#...'],
  '-': ['.....', '.....', '.....', '#####', '.....', '.....', '.....'],
  '!': ['..#..', '..#..', '..#..', '..#..', '..#..', '.....', '..#..'],
  '?': ['.###.', '#...#', '....#', '...#.', '..#..', '.....', '..#..'],
  ':': ['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....'],
};

const UNIT = 100; // font units per pixel
const ADVANCE = 6 * UNIT;
const EM = 1000;

/** One rectangle contour per horizontal run of pixels, clockwise. */
function outline(rows) {
  const contours = [];
  rows.forEach((row, r) => {
    const top = (7 - r) * UNIT;
    for (let c = 0; c < row.length;) {
      if (row[c] !== '#') {
        c += 1;
        continue;
      }
      let end = c;
      while (row[end] === '#') end += 1;
      const [x0, x1, y0, y1] = [c * UNIT, end * UNIT, top - UNIT, top];
      contours.push([
        [x0, y0],
        [x0, y1],
        [x1, y1],
        [x1, y0],
      ]);
      c = end;
    }
  });
  return contours;
}

function encodeGlyph(contours) {
  if (contours.length === 0) return Buffer.alloc(0);
  const points = contours.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const parts = [];
  const header = Buffer.alloc(10);
  header.writeInt16BE(contours.length, 0);
  header.writeInt16BE(Math.min(...xs), 2);
  header.writeInt16BE(Math.min(...ys), 4);
  header.writeInt16BE(Math.max(...xs), 6);
  header.writeInt16BE(Math.max(...ys), 8);
  parts.push(header);
  const ends = Buffer.alloc(contours.length * 2 + 2);
  let count = 0;
  contours.forEach((contour, i) => {
    count += contour.length;
    ends.writeUInt16BE(count - 1, i * 2);
  });
  ends.writeUInt16BE(0, contours.length * 2); // no instructions
  parts.push(ends, Buffer.alloc(points.length, 0x01)); // every point on the curve
  const coords = (values) => {
    const out = Buffer.alloc(values.length * 2);
    let previous = 0;
    values.forEach((v, i) => {
      out.writeInt16BE(v - previous, i * 2);
      previous = v;
    });
    return out;
  };
  parts.push(coords(xs), coords(ys));
  const glyph = Buffer.concat(parts);
  return Buffer.concat([glyph, Buffer.alloc((4 - (glyph.length % 4)) % 4)]);
}

const chars = Object.keys(ROWS);
// Glyph 0 is .notdef (a box), 1 is space, then one glyph per character.
const glyphs = [
  [
    [
      [0, 0],
      [0, 700],
      [500, 700],
      [500, 0],
    ],
  ],
  [],
  ...chars.map((ch) => outline(ROWS[ch])),
];
const encoded = glyphs.map(encodeGlyph);
const glyf = Buffer.concat(encoded);
const loca = Buffer.alloc((glyphs.length + 1) * 4);
let offset = 0;
encoded.forEach((g, i) => {
  loca.writeUInt32BE(offset, i * 4);
  offset += g.length;
});
loca.writeUInt32BE(offset, glyphs.length * 4);

// Character → glyph: space, each character, and lower case onto upper case.
const map = new Map([[0x20, 1]]);
chars.forEach((ch, i) => {
  map.set(ch.charCodeAt(0), i + 2);
  if (/[A-Z]/.test(ch)) map.set(ch.toLowerCase().charCodeAt(0), i + 2);
});
const codes = [...map.keys()].sort((a, b) => a - b);

function cmapTable() {
  const segments = [
    ...codes.map((code) => [code, code, map.get(code) - code]),
    [0xffff, 0xffff, 1],
  ];
  const segCount = segments.length;
  const searchRange = 2 * 2 ** Math.floor(Math.log2(segCount));
  const sub = Buffer.alloc(16 + segCount * 8);
  sub.writeUInt16BE(4, 0);
  sub.writeUInt16BE(sub.length, 2);
  sub.writeUInt16BE(0, 4);
  sub.writeUInt16BE(segCount * 2, 6);
  sub.writeUInt16BE(searchRange, 8);
  sub.writeUInt16BE(Math.log2(searchRange / 2), 10);
  sub.writeUInt16BE(segCount * 2 - searchRange, 12);
  segments.forEach(([start, end, delta], i) => {
    sub.writeUInt16BE(end, 14 + i * 2);
    sub.writeUInt16BE(start, 16 + segCount * 2 + i * 2);
    sub.writeUInt16BE((delta + 0x10000) % 0x10000, 16 + segCount * 4 + i * 2);
    sub.writeUInt16BE(0, 16 + segCount * 6 + i * 2);
  });
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(1, 2);
  head.writeUInt16BE(3, 4); // Windows
  head.writeUInt16BE(1, 6); // Unicode BMP
  head.writeUInt32BE(12, 8);
  return Buffer.concat([head, sub]);
}

function headTable() {
  const b = Buffer.alloc(54);
  b.writeUInt32BE(0x00010000, 0);
  b.writeUInt32BE(0x00010000, 4);
  b.writeUInt32BE(0, 8); // checkSumAdjustment, set last
  b.writeUInt32BE(0x5f0f3cf5, 12);
  b.writeUInt16BE(0x000b, 16);
  b.writeUInt16BE(EM, 18);
  // created/modified: zero (1904-01-01) keeps the output reproducible.
  b.writeInt16BE(0, 36);
  b.writeInt16BE(0, 38);
  b.writeInt16BE(500, 40);
  b.writeInt16BE(700, 42);
  b.writeUInt16BE(0, 44);
  b.writeUInt16BE(8, 46);
  b.writeInt16BE(2, 48);
  b.writeInt16BE(1, 50); // long loca
  b.writeInt16BE(0, 52);
  return b;
}

function hheaTable() {
  const b = Buffer.alloc(36);
  b.writeUInt32BE(0x00010000, 0);
  b.writeInt16BE(800, 4);
  b.writeInt16BE(-200, 6);
  b.writeInt16BE(0, 8);
  b.writeUInt16BE(ADVANCE, 10);
  b.writeInt16BE(0, 12);
  b.writeInt16BE(100, 14);
  b.writeInt16BE(500, 16);
  b.writeInt16BE(1, 18);
  b.writeUInt16BE(glyphs.length, 34);
  return b;
}

function hmtxTable() {
  const b = Buffer.alloc(glyphs.length * 4);
  glyphs.forEach((contours, i) => {
    b.writeUInt16BE(ADVANCE, i * 4);
    const xs = contours.flat().map((p) => p[0]);
    b.writeInt16BE(xs.length ? Math.min(...xs) : 0, i * 4 + 2);
  });
  return b;
}

function maxpTable() {
  const b = Buffer.alloc(32);
  b.writeUInt32BE(0x00010000, 0);
  b.writeUInt16BE(glyphs.length, 4);
  b.writeUInt16BE(Math.max(...glyphs.map((g) => g.flat().length)), 6);
  b.writeUInt16BE(Math.max(...glyphs.map((g) => g.length)), 8);
  b.writeUInt16BE(2, 14); // maxZones
  return b;
}

function os2Table() {
  const b = Buffer.alloc(96);
  b.writeUInt16BE(4, 0);
  b.writeInt16BE(ADVANCE, 2);
  b.writeUInt16BE(400, 4);
  b.writeUInt16BE(5, 6);
  b.writeUInt16BE(0, 8); // installable embedding
  b.writeUInt32BE(1, 42); // Basic Latin
  b.write('TNDM', 58, 'latin1');
  b.writeUInt16BE(0x40, 62); // regular
  b.writeUInt16BE(codes[0], 64);
  b.writeUInt16BE(codes[codes.length - 1], 66);
  b.writeInt16BE(800, 68);
  b.writeInt16BE(-200, 70);
  b.writeInt16BE(0, 72);
  b.writeUInt16BE(800, 74);
  b.writeUInt16BE(200, 76);
  b.writeUInt32BE(1, 78); // Latin 1
  b.writeInt16BE(700, 88);
  b.writeInt16BE(700, 90);
  b.writeUInt16BE(0, 92);
  b.writeUInt16BE(0x20, 94);
  return b;
}

function nameTable() {
  const names = [
    [1, 'Tandem Pixel'],
    [2, 'Regular'],
    [3, 'Tandem Pixel Regular 1.0'],
    [4, 'Tandem Pixel Regular'],
    [5, 'Version 1.0'],
    [6, 'TandemPixel-Regular'],
  ];
  const strings = names.map(([, s]) => Buffer.from(s, 'utf16le').swap16());
  const header = Buffer.alloc(6 + names.length * 12);
  header.writeUInt16BE(0, 0);
  header.writeUInt16BE(names.length, 2);
  header.writeUInt16BE(header.length, 4);
  let at = 0;
  names.forEach(([id], i) => {
    const o = 6 + i * 12;
    header.writeUInt16BE(3, o);
    header.writeUInt16BE(1, o + 2);
    header.writeUInt16BE(0x409, o + 4);
    header.writeUInt16BE(id, o + 6);
    header.writeUInt16BE(strings[i].length, o + 8);
    header.writeUInt16BE(at, o + 10);
    at += strings[i].length;
  });
  return Buffer.concat([header, ...strings]);
}

function postTable() {
  const b = Buffer.alloc(32);
  b.writeUInt32BE(0x00030000, 0);
  b.writeInt16BE(-100, 8);
  b.writeInt16BE(50, 10);
  b.writeUInt32BE(1, 12); // fixed pitch
  return b;
}

function checksum(buf) {
  const padded = Buffer.concat([buf, Buffer.alloc((4 - (buf.length % 4)) % 4)]);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

const tables = {
  'OS/2': os2Table(),
  cmap: cmapTable(),
  glyf,
  head: headTable(),
  hhea: hheaTable(),
  hmtx: hmtxTable(),
  loca,
  maxp: maxpTable(),
  name: nameTable(),
  post: postTable(),
};
const tags = Object.keys(tables).sort();
const numTables = tags.length;
const searchRange = 16 * 2 ** Math.floor(Math.log2(numTables));
const directory = Buffer.alloc(12 + numTables * 16);
directory.writeUInt32BE(0x00010000, 0);
directory.writeUInt16BE(numTables, 4);
directory.writeUInt16BE(searchRange, 6);
directory.writeUInt16BE(Math.log2(searchRange / 16), 8);
directory.writeUInt16BE(numTables * 16 - searchRange, 10);
const bodies = [];
let position = directory.length;
tags.forEach((tag, i) => {
  const table = tables[tag];
  const o = 12 + i * 16;
  directory.write(tag.padEnd(4, ' '), o, 'latin1');
  directory.writeUInt32BE(checksum(table), o + 4);
  directory.writeUInt32BE(position, o + 8);
  directory.writeUInt32BE(table.length, o + 12);
  const padded = Buffer.concat([table, Buffer.alloc((4 - (table.length % 4)) % 4)]);
  bodies.push(padded);
  position += padded.length;
});
const font = Buffer.concat([directory, ...bodies]);
const headOffset = directory.readUInt32BE(12 + tags.indexOf('head') * 16 + 8);
font.writeUInt32BE((0xb1b0afba - checksum(font)) >>> 0, headOffset + 8);
const out = new URL('../demo/tandem-pixel.ttf', import.meta.url);
await writeFile(out, font);
console.log(`wrote ${out.pathname} (${font.length} bytes, ${glyphs.length} glyphs)`);
