// Type declarations for the two codec libraries that ship none (their APIs, as documented).
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}
declare module 'lz4js' {
  /** LZ4 frame format. */
  export function compress(input: Uint8Array, maxSize?: number): Uint8Array;
  export function decompress(input: Uint8Array, maxSize?: number): Uint8Array;
}
