// Scripts are bundled as text (esbuild `loader: { '.pl': 'text' }`; vitest.config.mts does the same).
declare module '*.pl' {
  const text: string;
  export default text;
}
