/**
 * A minimal protocol-buffers writer: just the wire types an ONNX ModelProto needs (varint,
 * 32-bit, length-delimited, packed). Messages are built bottom-up as byte arrays.
 *
 * @remarks Our own 80 lines instead of a protobuf library plus a generated ONNX schema: the
 * project only ever writes a handful of message types, never reads them (ONNX Runtime does).
 */

const enc = new TextEncoder();

/** One field of a message, already encoded (tag included). */
export type Field = Uint8Array;

function varintBytes(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function tag(field: number, wire: 0 | 2 | 5): number[] {
  return varintBytes((field << 3) | wire);
}

/** An integer field (int32, int64, enum): wire type 0. Negative values take 10 bytes, as protobuf's int64. */
export function int(field: number, value: number | bigint): Field {
  return Uint8Array.from([...tag(field, 0), ...varintBytes(value)]);
}

/** A float field: wire type 5, little-endian IEEE 754 single. */
export function float(field: number, value: number): Field {
  const t = tag(field, 5);
  const b = new Uint8Array(t.length + 4);
  b.set(t, 0);
  new DataView(b.buffer).setFloat32(t.length, value, true);
  return b;
}

/** A length-delimited field: bytes, a string or a nested message. */
export function bytes(field: number, payload: Uint8Array | string): Field {
  const body = typeof payload === 'string' ? enc.encode(payload) : payload;
  const head = [...tag(field, 2), ...varintBytes(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** A nested message made of fields. */
export function message(field: number, fields: readonly Field[]): Field {
  return bytes(field, concat(fields));
}

/** A packed repeated integer field (varints). */
export function packedInts(field: number, values: readonly (number | bigint)[]): Field {
  return bytes(field, Uint8Array.from(values.flatMap((v) => varintBytes(v))));
}

/** A packed repeated float field. */
export function packedFloats(field: number, values: ArrayLike<number>): Field {
  const body = new Uint8Array(values.length * 4);
  const view = new DataView(body.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes(field, body);
}

/** Concatenates encoded fields into one message body. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
