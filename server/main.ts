// `node dist/server.cjs --stdio` (editors) or `--node-ipc` (the VS Code extension); also `--socket=<port>`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { plainProcessEnv } from '../dsl/host-node';
import { createServer } from './server';

plainProcessEnv();
createServer(createConnection(ProposedFeatures.all)).listen();
