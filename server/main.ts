// `node dist/server.cjs --stdio` (editors) or `--node-ipc` (the VS Code extension); also `--socket=<port>`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createServer } from './server';

// The yaml parser reads `process.env.LOG_TOKENS` once per token: Node's environment object asks the C++ side
// each time (~0.1 µs, about a tenth of parsing a big file). The server runs nothing, so a plain copy does.
process.env = { ...process.env };
createServer(createConnection(ProposedFeatures.all)).listen();
