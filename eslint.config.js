// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Folder boundaries (DESIGN.md §2): analysis code never reaches the CLI, the web layer or the
 * actions; nothing below the entry points prints; the simulated account stays independent of
 * the tool it is used to test.
 */
const boundary = (from, patterns, message) =>
  // A relative pattern (`../cli/*`) is written from the folder's top; a file d folders further
  // down reaches the same place with d more `../`, so each depth gets its own spelling.
  [0, 1, 2, 3, 4].map((depth) => ({
    files: [`src/${from}/${'*/'.repeat(depth)}*.ts`],
    // Tests and their support drive the tool against the simulated account: they cross on purpose.
    ignores: ['**/*.test.ts', '**/test-support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: patterns.map((p) => (p.startsWith('../') ? `${'../'.repeat(depth)}${p}` : p)),
              message,
            },
          ],
        },
      ],
    },
  }));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/out/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        {
          selector: "CallExpression[callee.object.name='process'][callee.property.name='exit']",
          message: 'Only the entry point (bin/) exits the process.',
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/web/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // Tool configuration files are loaded by their tools through a default export.
  { files: ['eslint.config.js', 'vitest.config.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.test.ts', 'src/**/test-support/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  boundary(
    'case',
    ['../cli/*', '../web/*', '../actions/*', '../detect/*', '../sim/*'],
    'case/ is a leaf: it knows nothing of callers.',
  ),
  boundary(
    'aws',
    ['../cli/*', '../web/*', '../actions/*', '../detect/*', '../sim/*', '../report/*'],
    'aws/ is infrastructure.',
  ),
  boundary(
    'store',
    ['../cli/*', '../web/*', '../actions/*', '../detect/*', '../sim/*', '@aws-sdk/*'],
    'store/ is pure storage.',
  ),
  boundary(
    'trail',
    ['../cli/*', '../web/*', '../actions/*', '../detect/*', '../sim/*'],
    'trail/ collects; it does not act or judge.',
  ),
  boundary(
    'detect',
    ['../cli/*', '../web/*', '../actions/*', '../sim/*', '@aws-sdk/*'],
    'detect/ analyses stored events only.',
  ),
  boundary('iam', ['../cli/*', '../web/*', '../actions/*', '../sim/*'], 'iam/ reasons; it does not act.'),
  boundary(
    'inventory',
    ['../cli/*', '../web/*', '../actions/*', '../sim/*'],
    'inventory/ reads; it does not act.',
  ),
  boundary(
    'report',
    ['../cli/*', '../web/*', '../actions/*', '../sim/*', '@aws-sdk/*'],
    'report/ renders facts.',
  ),
  boundary(
    'actions',
    ['../cli/*', '../web/*', '../sim/*'],
    'actions/ never depends on the UI or the simulator.',
  ),
  boundary('playbook', ['../cli/*', '../web/*', '../sim/*'], 'playbook/ is UI-free.'),
  boundary(
    'sim',
    [
      '../cli/*',
      '../web/*',
      '../actions/*',
      '../detect/*',
      '../case/*',
      '../trail/*',
      '../store/*',
      '../report/*',
      '../playbook/*',
      '../aws/*',
    ],
    'The simulated account must not share code with the tool it tests.',
  ),
);
