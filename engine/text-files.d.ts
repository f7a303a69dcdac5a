// Shell scripts are bundled as text (esbuild `loader: { '.sh': 'text' }`; vitest.config.mts does the same).
declare module '*.sh' {
  const text: string;
  export default text;
}
