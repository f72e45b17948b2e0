/**
 * Thin AWS wrappers for the PublishedApp reconciler: one SDK call (or one paged series)
 * each, SDK shapes normalised into the planners' types. No judgement here. One module per
 * kind of resource under aws-ops/; callers import them all as `ops`.
 */
export * from './aws-ops/api-gateway.ts';
export * from './aws-ops/certificates.ts';
export * from './aws-ops/endpoints.ts';
export * from './aws-ops/listener-rules.ts';
export * from './aws-ops/security-groups.ts';
export * from './aws-ops/target-groups.ts';
