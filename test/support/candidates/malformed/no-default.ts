// A module without a default export.
export const name = 'named exports only';
