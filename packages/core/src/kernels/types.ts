/** Typed-array storage types shared by kernels and tensors. */
export type FloatArray = Float32Array | Float64Array;
export type Storage = Float32Array | Float64Array | Int32Array;
