export * from './session.js';
export * from './rebase.js';
