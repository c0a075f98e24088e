/**
 * Untrusted JSON at the boundary: a parser with size and depth limits, and
 * shape readers that check a parsed value against what a request expects.
 * Used by both protocol families, discovery, the admin endpoints and the
 * simulator; it imports nothing from the rest of the library.
 */
export { parseBoundedJson, nestingDepth, quoteStart, DEFAULT_MAX_DEPTH, DEFAULT_MAX_BYTES, type JsonLimits } from './bounded';
export { JsonShapeError } from './shape-error';
export * as shape from './shape';
export { isJsonObject, describeValue, type Reader, type ReadResult, type JsonObject } from './shape';
