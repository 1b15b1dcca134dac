/**
 * PNG encoder: byte-exact round trips through Debian's ffmpeg PNG decoder, the file layout
 * (signature, IHDR, chunk CRCs), the per-row filter choice, and size validation.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { mulberry32 } from '../../engine/random.js';
import { crc32, encodePng, PNG_SIGNATURE, writePng } from '../../engine/render/png.js';

const dir = mkdtempSync(join(tmpdir(), 'vj-png-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** 3×2: red, green, blue / white half-transparent, black transparent, grey opaque. */
const KNOWN = Uint8Array.of(
  255, 0, 0, 255, /**/ 0, 255, 0, 255, /**/ 0, 0, 255, 255,
  255, 255, 255, 128, /**/ 0, 0, 0, 0, /**/ 17, 99, 201, 255,
);

/** Decodes a PNG file with ffmpeg to raw RGBA bytes. */
function ffmpegDecode(path: string): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 64 << 20 });
}

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  /** Offset of the chunk's type field (the CRC covers type and data). */
  at: number;
}

function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let p = 8; p < png.length; ) {
    const len = png.readUInt32BE(p);
    out.push({ type: png.toString('latin1', p + 4, p + 8), data: png.subarray(p + 8, p + 8 + len), crc: png.readUInt32BE(p + 8 + len), at: p + 4 });
    p += 12 + len;
  }
  return out;
}

test('a known 3×2 RGBA image decodes through ffmpeg to identical bytes', async () => {
  const path = join(dir, 'known.png');
  await writePng(path, KNOWN, 3, 2);
  assert.deepEqual(new Uint8Array(ffmpegDecode(path)), KNOWN);
  assert.deepEqual(readFileSync(path), encodePng(KNOWN, 3, 2));
});

test('Uint8ClampedArray input and every zlib level round-trip a larger noisy image', async () => {
  const w = 37;
  const h = 23;
  const rnd = mulberry32(7);
  const img = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      img[i] = x * 7;
      img[i + 1] = y * 11;
      img[i + 2] = rnd() * 256;
      img[i + 3] = y % 3 === 0 ? 255 : (x * y) & 255;
    }
  }
  for (const level of [0, 1, 4, 9]) {
    const path = join(dir, `noisy-${level}.png`);
    await writePng(path, img, w, h, { level });
    assert.deepEqual(new Uint8Array(ffmpegDecode(path)), new Uint8Array(img.buffer), `level ${level}`);
  }
});

test('signature, IHDR fields and every chunk CRC are correct', () => {
  const png = encodePng(KNOWN, 3, 2);
  assert.deepEqual(new Uint8Array(png.subarray(0, 8)), PNG_SIGNATURE);
  assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const cs = chunks(png);
  assert.deepEqual(cs.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  const ihdr = cs[0].data;
  assert.equal(ihdr.length, 13);
  assert.equal(ihdr.readUInt32BE(0), 3, 'width');
  assert.equal(ihdr.readUInt32BE(4), 2, 'height');
  assert.deepEqual(Array.from(ihdr.subarray(8)), [8, 6, 0, 0, 0], 'depth 8, RGBA, deflate, adaptive, no interlace');
  for (const c of cs) assert.equal(c.crc, crc32(png, c.at, c.at + 4 + c.data.length), `${c.type} CRC`);
  const iend = cs[2];
  assert.equal(iend.data.length, 0);
  assert.equal(iend.crc, 0xae426082);
  assert.equal(png.subarray(-12).toString('hex'), '0000000049454e44ae426082');
});

test('crc32 matches the standard check value and IEND', () => {
  assert.equal(crc32(Buffer.from('123456789', 'latin1')), 0xcbf43926);
  assert.equal(crc32(Buffer.from('IEND', 'latin1')), 0xae426082);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('rows get None, Sub or Up by content', () => {
  const w = 8;
  const img = new Uint8Array(w * 3 * 4);
  // Row 0: flat zeros (None wins ties). Row 1: a steep ramp (Sub). Row 2: the same ramp (Up).
  for (let x = 0; x < w; x++) {
    for (const y of [1, 2]) img.fill(40 + x * 25, (y * w + x) * 4, (y * w + x) * 4 + 4);
  }
  const raw = inflateSync(chunks(encodePng(img, w, 3))[1].data);
  const stride = w * 4 + 1;
  assert.equal(raw.length, 3 * stride);
  assert.deepEqual([raw[0], raw[stride], raw[2 * stride]], [0, 1, 2]);
  assert.deepEqual(Array.from(raw.subarray(2 * stride + 1, 3 * stride)), new Array(w * 4).fill(0));
});

test('size mismatches and bad dimensions throw RangeError naming the sizes', () => {
  assert.throws(() => encodePng(new Uint8Array(23), 3, 2), (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /23 bytes/);
    assert.match(e.message, /3×2×4 = 24/);
    return true;
  });
  assert.throws(() => encodePng(new Uint8Array(0), 0, 2), RangeError);
  assert.throws(() => encodePng(new Uint8Array(24), 1.5, 4), RangeError);
  assert.throws(() => encodePng(KNOWN, 3, 2, { level: 10 }), /level/);
});

test('writePng validates before touching the file system', async () => {
  await assert.rejects(writePng(join(dir, 'no-such-dir', 'x.png'), new Uint8Array(5), 3, 2), RangeError);
  await assert.rejects(writePng(join(dir, 'no-such-dir', 'x.png'), KNOWN, 3, 2), { code: 'ENOENT' });
});
