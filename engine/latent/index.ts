export * from './latent.js';
export * from './classVector.js';
export * from './random.js';
export * from './stems.js';
