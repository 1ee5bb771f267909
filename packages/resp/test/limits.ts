import { respLimits } from '../src/resp-codec.js';
export { type RespRequest, RespRequestDecoder } from '../src/request-decoder.js';
export const respLimitsForTest = respLimits;
