/**
 * How every document is composed: the whole text, and one re-parsed stage alike. No source tokens on the nodes: they
 * would keep the whole syntax tree alive (dsl/tree-skeleton.ts attaches the few that are read).
 */
export const composeOptions = { keepSourceTokens: false, merge: true, prettyErrors: false, uniqueKeys: true, logLevel: 'error' } as const;
