// A default export whose convention is neither 'inverted' nor 'scale-at-inference'.
export default { name: 'unknown convention', convention: 'standard', forward: (x: Float64Array) => x.slice() };
