// Scripts are bundled as text (esbuild `loader: { '.sh': 'text', '.pl': 'text' }`; vitest.config.mts does the same).
declare module '*.sh' {
  const text: string;
  export default text;
}
declare module '*.pl' {
  const text: string;
  export default text;
}
