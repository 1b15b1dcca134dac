/**
 * Writes ONNX models (ModelProto bytes) from a plain description of a graph, so the built-in
 * generator and the test models are made in TypeScript with no Python and no download.
 *
 * Field numbers follow onnx/onnx.proto (IR version 8, default opset domain).
 */
import { bytes, concat, float, int, message, packedFloats, packedInts, type Field } from './protobuf.js';

/** Element types the project's models use (ONNX TensorProto.DataType codes). */
export const ELEM = { float: 1, uint8: 2, int64: 7 } as const;
export type ElemType = keyof typeof ELEM;

/** A constant tensor stored in the model. */
export interface Initializer {
  name: string;
  dims: readonly number[];
  /** float32 values, or int64 values (e.g. a Reshape's shape) as numbers. */
  data: Float32Array | readonly number[];
  type?: 'float' | 'int64';
}

/** An attribute value: int, float, ints, floats or string (typed by a tag for ints vs floats). */
export type AttrValue =
  | { i: number }
  | { f: number }
  | { ints: readonly number[] }
  | { floats: readonly number[] }
  | { s: string };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attrs?: Record<string, AttrValue>;
}

/** A graph input or output: name, element type and shape (a string is a symbolic dimension). */
export interface ValueSpec {
  name: string;
  type: ElemType;
  shape: readonly (number | string)[];
}

export interface GraphSpec {
  name: string;
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  initializers: readonly Initializer[];
  nodes: readonly NodeSpec[];
}

export const IR_VERSION = 8;
export const OPSET = 17;

/** Encodes a graph as a complete ONNX model. */
export function encodeModel(graph: GraphSpec, producer = 'vj'): Uint8Array {
  const g: Field[] = [
    ...graph.nodes.map((n, i) => message(1, nodeFields(n, i))),
    bytes(2, graph.name),
    ...graph.initializers.map((t) => message(5, tensorFields(t))),
    ...graph.inputs.map((v) => message(11, valueFields(v))),
    ...graph.outputs.map((v) => message(12, valueFields(v))),
  ];
  return concat([
    int(1, IR_VERSION),
    bytes(2, producer),
    message(7, g),
    message(8, [bytes(1, ''), int(2, OPSET)]),
  ]);
}

function nodeFields(n: NodeSpec, index: number): Field[] {
  const f: Field[] = [
    ...n.inputs.map((s) => bytes(1, s)),
    ...n.outputs.map((s) => bytes(2, s)),
    bytes(3, `${n.op}_${index}`),
    bytes(4, n.op),
  ];
  for (const [name, v] of Object.entries(n.attrs ?? {})) f.push(message(5, attrFields(name, v)));
  return f;
}

/** AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, type 20. */
function attrFields(name: string, v: AttrValue): Field[] {
  const head = bytes(1, name);
  if ('f' in v) return [head, float(2, v.f), int(20, 1)];
  if ('i' in v) return [head, int(3, v.i), int(20, 2)];
  if ('s' in v) return [head, bytes(4, v.s), int(20, 3)];
  if ('floats' in v) return [head, packedFloats(7, v.floats), int(20, 6)];
  return [head, packedInts(8, v.ints), int(20, 7)];
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian). */
function tensorFields(t: Initializer): Field[] {
  const type = t.type ?? (t.data instanceof Float32Array ? 'float' : 'int64');
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new RangeError(`initializer ${t.name}: ${t.data.length} values for dims [${t.dims.join(',')}]`);
  let raw: Uint8Array;
  if (type === 'float') {
    const f = Float32Array.from(t.data);
    raw = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  } else {
    const b = BigInt64Array.from(Array.from(t.data, (x) => BigInt(x)));
    raw = new Uint8Array(b.buffer);
  }
  return [packedInts(1, t.dims), int(2, ELEM[type]), bytes(8, t.name), bytes(9, raw)];
}

/** ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2 } } }. */
function valueFields(v: ValueSpec): Field[] {
  const dims = v.shape.map((d) => message(1, [typeof d === 'number' ? int(1, d) : bytes(2, d)]));
  const tensorType = message(1, [int(1, ELEM[v.type]), message(2, dims)]);
  return [bytes(1, v.name), message(2, [tensorType])];
}
