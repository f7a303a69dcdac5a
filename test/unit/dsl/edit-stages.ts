/** Stages of many shapes (block and flow, comments, block scalars, a typo), for tests that edit a document at random. */
export const editableStages = [
  '  - run: cat\n',
  '  - name: g\n    run: grep -v x\n',
  '  - name: s\n    command: [sort, "-k1"]\n    workers: 2\n',
  '  - use: head\n    with: { count: 3 }\n',
  '  - use: read\n    with:\n      path: in.csv\n',
  '  # a comment\n  - run: |\n      cat\n      grep y\n',
  '  - comand: cat\n',
  '  - run: sort\n    # trailing, deeper\n',
];
