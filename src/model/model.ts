// PLACEHOLDER (replaced by the compile work): the resolved estate, defaults applied.
export type Model = { readonly resolved: true };
