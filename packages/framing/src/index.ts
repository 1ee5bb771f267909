export type { Codec, Decoder, Encoder } from './codec.js';
