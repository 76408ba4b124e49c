/**
 * A float32 dot product in WebAssembly SIMD: the resampler's inner loop. Scalar JavaScript tops out
 * near one multiply-add per nanosecond, with a bounds check and a float32→float64 conversion on
 * every load; four lanes per instruction make it several times faster. The module is 100-odd bytes,
 * written out here rather than shipped as a binary so the source is the whole story. Every call
 * runs the same instructions in the same order, so results are deterministic.
 *
 * Equivalent text format:
 *   (func (export "dot") (param $c i32) (param $x i32) (param $n i32) (result f32)
 *     (local $a v128) (local $b v128) (local $end i32)
 *     end = c + 4n; loop while c < end: a += c[0..4]·x[0..4]; b += c[4..8]·x[4..8]; c += 32; x += 32
 *     return sum of the lanes of a + b)
 * `$c` and `$x` are byte offsets into the imported memory; `$n` must be a multiple of 8.
 */

const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const F32_ADD = 0x92;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const F32X4_EXTRACT_LANE = 0x1f;
const F32X4_ADD = [0xe4, 0x01];
const F32X4_MUL = [0xe6, 0x01];
const V128 = 0x7b;
const I32 = 0x7f;
const F32 = 0x7d;

/** Multiply-accumulate the 4 lanes at byte `offset` into local `accumulator`. */
function macLanes(accumulator: number, offset: number): number[] {
  const load = (param: number): number[] => [LOCAL_GET, param, SIMD, V128_LOAD, 2, offset];
  return [LOCAL_GET, accumulator, ...load(0), ...load(1), SIMD, ...F32X4_MUL, SIMD, ...F32X4_ADD, LOCAL_SET, accumulator];
}

function advance(param: number): number[] {
  return [LOCAL_GET, param, I32_CONST, 32, I32_ADD, LOCAL_SET, param];
}

function body(): number[] {
  const [a, b, end] = [3, 4, 5];
  const lane = (index: number): number[] => [LOCAL_GET, a, SIMD, F32X4_EXTRACT_LANE, index];
  return [
    2, 2, V128, 1, I32, // locals: 2 × v128, 1 × i32
    LOCAL_GET, 0, LOCAL_GET, 2, I32_CONST, 2, I32_SHL, I32_ADD, LOCAL_SET, end,
    0x02, 0x40, // block
    0x03, 0x40, // loop
    LOCAL_GET, 0, LOCAL_GET, end, I32_GE_U, 0x0d, 1, // br_if out of the block
    ...macLanes(a, 0),
    ...macLanes(b, 16),
    ...advance(0),
    ...advance(1),
    0x0c, 0, // br to the loop
    0x0b, 0x0b, // end loop, end block
    LOCAL_GET, a, LOCAL_GET, b, SIMD, ...F32X4_ADD, LOCAL_TEE, a,
    SIMD, F32X4_EXTRACT_LANE, 0,
    ...lane(1), F32_ADD,
    ...lane(2), F32_ADD,
    ...lane(3), F32_ADD,
    0x0b,
  ];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function moduleBytes(): Uint8Array {
  const code = body();
  const name = (text: string): number[] => [text.length, ...Array.from(text, (ch) => ch.charCodeAt(0))];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, I32, I32, I32, 1, F32]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('dot'), 0x00, 0]),
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

/**
 * The slice of the WebAssembly API used here. The project compiles against ES2023 without DOM
 * types, which is where TypeScript declares WebAssembly, so this file states what it relies on.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const WASM_PAGE_BYTES = 65_536;

/** Fresh linear memory of `pages` × 64 KiB for one resampler's table and input. */
export function createMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages });
}

let compiled: object | undefined;

/** Σ c[i]·x[i] for i < n over float32 arrays at byte offsets `c` and `x` of the memory. */
export type DotProduct = (c: number, x: number, n: number) => number;

/** Instantiates the kernel over `memory`; the module itself is compiled once per process. */
export function createDotProduct(memory: WasmMemory): DotProduct {
  compiled ??= new wasm.Module(moduleBytes());
  const instance = new wasm.Instance(compiled, { env: { memory } });
  return instance.exports['dot'] as DotProduct;
}

/** Taps must come in multiples of this for the kernel. */
export const DOT_PRODUCT_BLOCK = 8;
