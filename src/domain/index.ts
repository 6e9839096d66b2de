export * from './email-address.js';
export * from './errors.js';
export * from './escape.js';
export * from './interview-state.js';
export * from './seats.js';
export * from './session-key.js';
export * from './time.js';
export * from './window.js';
